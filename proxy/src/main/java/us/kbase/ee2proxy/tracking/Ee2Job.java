package us.kbase.ee2proxy.tracking;

import us.kbase.ee2proxy.jsonrpc.Ee2Reply;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * One job as EE2's {@code check_job}, {@code check_jobs} or {@code check_jobs_date_range_*}
 * reports it: what the reconciler and retry classification need, nothing else.
 *
 * @param jobId the job id
 * @param user the job's owner (the ledger user for its lease, unless billed to another)
 * @param status EE2's status string ("queued", "running", "completed", ...), null if absent
 * @param created EE2's creation time, epoch milliseconds (0 if absent)
 * @param batchContainer a run_job_batch container: it never reaches the scheduler, takes no slot
 * @param input what the job was submitted with ({@code job_input}: method, app_id, parent_job_id
 *     and the limit-related requirements), null when the reply left it out
 */
public record Ee2Job(
        String jobId, String user, String status, long created, boolean batchContainer, RunJobParams input) {

    /** The job holds no scheduler slot any more: completed, error or terminated. */
    public boolean terminal() {
        return status != null && Ee2Reply.JobState.TERMINAL_STATUSES.contains(status);
    }
}
