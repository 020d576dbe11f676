package us.kbase.ee2proxy.policy.classify;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import us.kbase.ee2proxy.policy.SlotClaim;

/**
 * What the ledger knows about a user's parallel apps, fetched before classifying so that
 * classification stays synchronous and pure: whether a {@code parent_job_id} names an active
 * parallel app of the same ledger user ({@link Classifier#parentJobIds} says which ids), and, for
 * a call shaped like a KBParallel child ({@link us.kbase.ee2proxy.policy.request.RunJobParams#kbParallelShaped}),
 * every active parallel app of that user.
 */
@FunctionalInterface
public interface ParentLookup {
    ParentLookup NONE = (user, jobId) -> Optional.empty();

    /** The active parent's claim ({@code parent()} true), or empty for anything else. */
    Optional<SlotClaim> activeParent(String ledgerUser, String jobId);

    /** The user's unfinished parallel apps (bound or provisional); empty when not fetched. */
    default List<ActiveParent> activeParents(String ledgerUser) {
        return List.of();
    }

    /** A lookup over already-fetched answers: job id -> claim, for one ledger user. */
    static ParentLookup of(String ledgerUser, Map<String, SlotClaim> parents) {
        return of(ledgerUser, parents, List.of());
    }

    /** The same, with the user's active parallel apps for children that name no parent. */
    static ParentLookup of(String ledgerUser, Map<String, SlotClaim> parents, List<ActiveParent> active) {
        Map<String, SlotClaim> copy = Map.copyOf(parents);
        List<ActiveParent> all = List.copyOf(active);
        return new ParentLookup() {
            @Override
            public Optional<SlotClaim> activeParent(String user, String jobId) {
                return user.equals(ledgerUser) ? Optional.ofNullable(copy.get(jobId)) : Optional.empty();
            }

            @Override
            public List<ActiveParent> activeParents(String user) {
                return user.equals(ledgerUser) ? all : List.of();
            }
        };
    }
}
