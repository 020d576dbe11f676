package us.kbase.ee2proxy.sim.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One job's mutable record. Every field is written under the {@link Scheduler}'s lock; the
 * status is volatile so the hot read paths ({@code check_job_canceled}) need no lock.
 */
public final class Job {
    final String id;
    final NewJob spec;
    final long created;
    long requested;
    /** Submission order: HTCondor's queue order. */
    final long seq;
    volatile JobStatus status = JobStatus.CREATED;
    boolean holdsSlot;
    long queued;
    /** When HTCondor last gave it a slot (0: never). */
    long claimed;
    long running;
    long finished;
    volatile long updated;
    /** The scheduler's change count when anything a {@link JobSnapshot} shows last changed. */
    long version;
    String errorMessage;
    Integer errorCode;
    Integer terminatedCode;
    JsonNode jobOutput;
    /**
     * The simulated parallel app whose run_job created this job, once its answer reached the
     * app. The simulator's own bookkeeping: EE2 keeps no such link (KBParallel sends no
     * {@code parent_job_id}), so nothing EE2 answers shows it.
     */
    String spawnedBy;
    /** Set on a simulated parallel app that failed because a child's run_job got an error reply. */
    String childRefusal;
    final List<String> childJobs = new ArrayList<>();
    final List<String> retryIds = new ArrayList<>();
    final List<String> logLines = new ArrayList<>();

    Job(String id, NewJob spec, long created, long seq) {
        this.id = id;
        this.seq = seq;
        this.spec = spec;
        this.created = created;
        this.requested = created;
        this.updated = created;
    }

    public String id() {
        return id;
    }

    public NewJob spec() {
        return spec;
    }

    public JobStatus status() {
        return status;
    }

    public String user() {
        return spec.user();
    }

    JobSnapshot snapshot() {
        return new JobSnapshot(id, spec.user(), spec.slotUser(), status, holdsSlot, spec.parentJobId(),
                spec.batchId(), spec.batchContainer(), spec.retryOf(), spec.method(), spec.label(),
                requested, created, queued, running, finished, updated, spawnedBy, childRefusal, claimed);
    }
}
