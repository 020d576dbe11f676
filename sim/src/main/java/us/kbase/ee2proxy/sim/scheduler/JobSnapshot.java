package us.kbase.ee2proxy.sim.scheduler;

/**
 * One job as the scheduler saw it at snapshot time. Timestamps are epoch millis, 0 when the
 * job has not reached that state.
 *
 * @param jobId 24 lower-case hex characters
 * @param user the job's owner
 * @param slotUser whose per-user limit the job counts against ({@code bill_to_user} or the
 *     owner), null when it takes no user slot (concierge, batch container, ignored limits)
 * @param status EE2's status
 * @param holdsSlot HTCondor has started it (it occupies a slot); with simulated job runners a
 *     job holds its slot a little before its runner reports {@code start_job}
 * @param parentJobId {@code parent_job_id} as submitted, or null
 * @param batchId the batch container's id for a batch child, or null
 * @param batchContainer this is a {@code run_job_batch} container (never scheduled)
 * @param retryOf the job this one retries, or null
 * @param app the {@code method} ("Module.function")
 * @param label the workload's label for this job, or null
 * @param requested when the client sent the call that created the job, when the simulator
 *     knows it (its own parents' children); else equal to {@code created}. Time a proxy held the
 *     call lies between the two.
 * @param spawnedBy the simulated parallel app that created this job with run_job (known once
 *     the answer reached it), or null. The simulator's bookkeeping, not EE2's: KBParallel's
 *     children carry no {@code parent_job_id}, so this is how a run tells children apart.
 * @param childRefusal for a simulated parallel app that failed because a child's run_job got
 *     an error reply (which KBParallel re-raises): that error; else null
 * @param claimed when HTCondor last gave it a slot (its runner reports {@code start_job} a little
 *     later, at {@code running}), 0 when never (or from a simulator that did not say)
 */
public record JobSnapshot(
        String jobId,
        String user,
        String slotUser,
        JobStatus status,
        boolean holdsSlot,
        String parentJobId,
        String batchId,
        boolean batchContainer,
        String retryOf,
        String app,
        String label,
        long requested,
        long created,
        long queued,
        long running,
        long finished,
        long updated,
        String spawnedBy,
        String childRefusal,
        long claimed) {

    public boolean finishedState() {
        return status.isTerminal();
    }

    /** The parent this job is a child of: the simulated app that spawned it, else its {@code parent_job_id}. */
    public String parent() {
        return spawnedBy != null ? spawnedBy : parentJobId;
    }
}
