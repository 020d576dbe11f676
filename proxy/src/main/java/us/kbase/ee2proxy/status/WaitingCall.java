package us.kbase.ee2proxy.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import us.kbase.ee2proxy.hold.HeldCall;

/**
 * One call waiting at the proxy, as admission put it in its user's queue.
 *
 * @param id the call's ticket: what actions name it by
 * @param held the queue's entry (its priority and classification order the user's queue)
 * @param kind "parallel app", "child job", "batch", "job"
 * @param app the app's module ("kb_Bowtie2"), or a batch's description
 * @param parentJobId the parallel app that sent it, when known
 * @param reason why it waits, in the policy's words for the scientist
 * @param adminReason the same with the rule and its numbers, for operators
 * @param maxWait the longest it waits in all before {@code atEnd}
 * @param atEnd what happens when its wait is over, in plain words
 * @param since when it arrived at the proxy
 */
public record WaitingCall(String id, HeldCall held, String kind, String app, String parentJobId, String reason,
        String adminReason, Duration maxWait, String atEnd, Instant since) {
    public WaitingCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(held, "held");
        Objects.requireNonNull(since, "since");
    }

    public String user() {
        return held.user();
    }
}
