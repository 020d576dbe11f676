package us.kbase.ee2proxy.status;

import java.time.Instant;

/**
 * One admission decision as the user's recent history shows it.
 *
 * @param outcome "admitted", "waiting", "refused", "released by an operator"...
 * @param kind what the call was ("parallel app", "child job", ...)
 * @param text the scientist's text of the decision
 */
public record Decided(Instant at, String id, String outcome, String kind, String app, String text) {}
