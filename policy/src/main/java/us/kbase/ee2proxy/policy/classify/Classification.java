package us.kbase.ee2proxy.policy.classify;

import java.util.List;
import java.util.Objects;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.SlotClaim;

/**
 * The result of classifying one job-creating call.
 *
 * @param jobClass what the call is
 * @param ledgerUser whose slots it takes: the token's user, or {@code bill_to_user} on an admin call
 * @param claims one claim per job that takes a slot, in the call's order; empty for exempt calls
 * @param jobIndexes for each claim, the position of its job among the jobs the call creates
 *     (run_job_batch: in {@code child_job_ids}; retry_jobs: in the reply list). It differs from
 *     0, 1, 2... only when some members of a batch are exempt and take no claim.
 * @param fromParallelApp the call may have been sent by a running parallel app's KBParallel loop,
 *     which fails the whole app when a submission gets an error reply: such a call is never
 *     refused, whatever class it was given (it waits instead, and is admitted at
 *     {@code children.maxWait})
 * @param childBounds for claims admitted as a running parallel app's children
 *     ({@link SlotClaim#childOf()} set): the bound on their parent's unfinished children that the
 *     ledger checks when it takes them; empty otherwise
 * @param beyondBound what the call is when the ledger finds a child bound reached: the same call
 *     classified as if it named no parent and no running app had sent it (a listed parallel app is
 *     then a parallel app at depth 0, any other job a plain job); null when there is no bound
 */
public record Classification(JobClass jobClass, String ledgerUser, List<SlotClaim> claims, List<Integer> jobIndexes,
        boolean fromParallelApp, List<ChildBound> childBounds, Classification beyondBound) {
    public Classification {
        Objects.requireNonNull(jobClass, "jobClass");
        Objects.requireNonNull(ledgerUser, "ledgerUser");
        claims = List.copyOf(claims);
        jobIndexes = List.copyOf(jobIndexes);
        childBounds = List.copyOf(childBounds);
        if (claims.size() != jobIndexes.size()) {
            throw new IllegalArgumentException("one job index per claim");
        }
        if (childBounds.isEmpty() != (beyondBound == null)) {
            throw new IllegalArgumentException("a call bounded as a child says what it is beyond the bound");
        }
        if (beyondBound != null && !beyondBound.childBounds.isEmpty()) {
            throw new IllegalArgumentException("beyond the bound, a call is no running app's child");
        }
    }

    /** A call with no child of a running parallel app among its jobs. */
    public Classification(JobClass jobClass, String ledgerUser, List<SlotClaim> claims, List<Integer> jobIndexes,
            boolean fromParallelApp) {
        this(jobClass, ledgerUser, claims, jobIndexes, fromParallelApp, List.of(), null);
    }

    /** A call no running parallel app sent. */
    public Classification(JobClass jobClass, String ledgerUser, List<SlotClaim> claims, List<Integer> jobIndexes) {
        this(jobClass, ledgerUser, claims, jobIndexes, false);
    }

    public boolean exempt() {
        return jobClass instanceof JobClass.Exempt;
    }

    /** The same classification with its child bounds: what {@link Classifier} returns for a child. */
    Classification bounded(List<ChildBound> bounds, Classification beyond) {
        return bounds.isEmpty() ? this
                : new Classification(jobClass, ledgerUser, claims, jobIndexes, fromParallelApp, bounds, beyond);
    }
}
