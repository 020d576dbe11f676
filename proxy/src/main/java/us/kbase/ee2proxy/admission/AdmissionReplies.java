package us.kbase.ee2proxy.admission;

import java.time.Duration;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;
import us.kbase.ee2proxy.policy.decide.Decision;

/**
 * The answers admission gives instead of EE2's: EE2-shaped errors (the KBase client shows their
 * message to the scientist) that say the job was not submitted, why, and when to try again
 * ({@code Retry-After}, in seconds).
 */
public final class AdmissionReplies {
    private static final String NOT_SUBMITTED = " The job was not submitted.";
    private static final Duration SOON = Duration.ofMinutes(1);
    /** A restart takes seconds, and other replicas take the call at once. */
    private static final Duration AFTER_RESTART = Duration.ofSeconds(5);

    private AdmissionReplies() {}

    /** The policy's refusal, in its own words. */
    static Ee2ErrorReply refused(Decision.Refuse refuse) {
        Ee2ErrorReply reply = Ee2ErrorReply.serverError(refuse.reason().userMessage());
        return refuse.retryAfter().map(after -> retryAfter(reply, after)).orElse(reply);
    }

    static Ee2ErrorReply authUnavailable(String detail) {
        return retryAfter(Ee2ErrorReply.serverError("ee2-admission-proxy could not verify your token with KBase auth: "
                + detail + "; the job was not submitted. Try again in a minute; if this persists, tell the KBase operators."), SOON);
    }

    static Ee2ErrorReply ledgerUnavailable() {
        return retryAfter(Ee2ErrorReply.serverError("ee2-admission-proxy cannot reach its job slot ledger right now,"
                + " and its policy is to accept no new jobs meanwhile (redis.onFailure: refuse)." + NOT_SUBMITTED
                + " Try again in a minute."), SOON);
    }

    /** redis.onFailure: wait, and the call waited its longest for the ledger. */
    static Ee2ErrorReply ledgerStillUnavailable(Duration waited) {
        return retryAfter(Ee2ErrorReply.serverError("ee2-admission-proxy waited " + waited.toSeconds()
                + " s for its job slot ledger, the longest this job may wait, and the ledger still cannot decide."
                + NOT_SUBMITTED + " Try again in a few minutes; if this persists, tell the KBase operators."), SOON);
    }

    static Ee2ErrorReply holdCapReached(int maxHeld) {
        return retryAfter(Ee2ErrorReply.serverError("ee2-admission-proxy already has " + maxHeld
                + " job submissions waiting at the proxy for free slots, its limit (admission.maxHeld)." + NOT_SUBMITTED
                + " Try again in a minute."), SOON);
    }

    static Ee2ErrorReply userHoldCapReached(int maxHeldPerUser) {
        return retryAfter(Ee2ErrorReply.serverError("ee2-admission-proxy already has " + maxHeldPerUser
                + " of your job submissions waiting at the proxy for free slots, the most one user may have waiting"
                + " (admission.maxHeldPerUser)." + NOT_SUBMITTED + " Try again in a minute, once some of them have"
                + " started."), SOON);
    }

    /**
     * A call the proxy answers because it is stopping (a drain's held calls, and at close every call
     * still waiting for its verdict). Also the front end's answer, so that both say the same.
     */
    public static Ee2ErrorReply stopping() {
        return retryAfter(Ee2ErrorReply.serverError("ee2-admission-proxy is stopping (a restart or redeployment) and"
                + " did not send this request to Execution Engine 2." + NOT_SUBMITTED + " Submit it again in a few"
                + " seconds: another proxy replica, or this one once restarted, will take it."), AFTER_RESTART);
    }

    /** An operator refused the call while it waited, or its owner cancelled it, saying {@code why}. */
    static Ee2ErrorReply refusedWhileWaiting(String why) {
        return Ee2ErrorReply.serverError("ee2-admission-proxy did not submit this job while it was waiting at the proxy: "
                + (why == null || why.isBlank() ? "an operator refused it." : why) + NOT_SUBMITTED);
    }

    private static Ee2ErrorReply retryAfter(Ee2ErrorReply reply, Duration after) {
        long seconds = Math.max(1, (after.toMillis() + 999) / 1000);
        return reply.withHeader("Retry-After", Long.toString(seconds));
    }
}
