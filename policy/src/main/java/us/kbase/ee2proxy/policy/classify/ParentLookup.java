package us.kbase.ee2proxy.policy.classify;

import java.util.Map;
import java.util.Optional;
import us.kbase.ee2proxy.policy.SlotClaim;

/**
 * Whether a {@code parent_job_id} names an active parallel app of the same ledger user, and its
 * claim (depth, app). The proxy answers it from the ledger, resolved before classifying
 * ({@link Classifier#parentJobIds} says which ids), so classification stays synchronous and pure.
 */
@FunctionalInterface
public interface ParentLookup {
    ParentLookup NONE = (user, jobId) -> Optional.empty();

    /** The active parent's claim ({@code parent()} true), or empty for anything else. */
    Optional<SlotClaim> activeParent(String ledgerUser, String jobId);

    /** A lookup over already-fetched answers: job id -> claim, for one ledger user. */
    static ParentLookup of(String ledgerUser, Map<String, SlotClaim> parents) {
        Map<String, SlotClaim> copy = Map.copyOf(parents);
        return (user, jobId) -> user.equals(ledgerUser) ? Optional.ofNullable(copy.get(jobId)) : Optional.empty();
    }
}
