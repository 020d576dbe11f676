package us.kbase.ee2proxy.policy.classify;

import java.util.List;
import java.util.Objects;
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
 */
public record Classification(JobClass jobClass, String ledgerUser, List<SlotClaim> claims, List<Integer> jobIndexes,
        boolean fromParallelApp) {
    public Classification {
        Objects.requireNonNull(jobClass, "jobClass");
        Objects.requireNonNull(ledgerUser, "ledgerUser");
        claims = List.copyOf(claims);
        jobIndexes = List.copyOf(jobIndexes);
        if (claims.size() != jobIndexes.size()) {
            throw new IllegalArgumentException("one job index per claim");
        }
    }

    /** A call no running parallel app sent. */
    public Classification(JobClass jobClass, String ledgerUser, List<SlotClaim> claims, List<Integer> jobIndexes) {
        this(jobClass, ledgerUser, claims, jobIndexes, false);
    }

    public boolean exempt() {
        return jobClass instanceof JobClass.Exempt;
    }
}
