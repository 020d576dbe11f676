package us.kbase.ee2proxy.policy.classify;

import java.util.Objects;
import us.kbase.ee2proxy.policy.SlotClaim;

/**
 * One of a user's unfinished parallel apps as the ledger knows it, for attributing a child that
 * names no parent (the real KBParallel sends {@code parent_job_id: null}).
 *
 * @param jobId its EE2 job id, or null while its lease is still provisional (EE2 has not answered)
 * @param claim its claim: {@code parent()} true, its depth and app
 */
public record ActiveParent(String jobId, SlotClaim claim) {
    public ActiveParent {
        Objects.requireNonNull(claim, "claim");
        if (!claim.parent()) {
            throw new IllegalArgumentException("an active parent's claim is a parent's: " + claim);
        }
    }
}
