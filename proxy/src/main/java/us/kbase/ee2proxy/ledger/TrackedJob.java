package us.kbase.ee2proxy.ledger;

import us.kbase.ee2proxy.policy.SlotClaim;

/** A bound lease as the reconciler sees it: which job, what it claims. */
public record TrackedJob(String jobId, SlotClaim claim) {}
