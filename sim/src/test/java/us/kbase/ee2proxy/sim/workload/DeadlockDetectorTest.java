package us.kbase.ee2proxy.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.sim.control.SimSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Orphan;

/**
 * The deadlock pattern, apps failed by a refused child and orphans, on hand-made snapshots
 * (slots = 3). Children are linked as KBParallel's are: only by the simulated app that spawned
 * them, with no {@code parent_job_id}.
 */
class DeadlockDetectorTest {
    private final List<JobSnapshot> jobs = new ArrayList<>();

    /** A KBParallel child (no parent_job_id; spawned by {@code parent}), or a top-level job. */
    private void job(String id, String parent, JobStatus status) {
        job(id, null, parent, status, status.isTerminal() ? 3 : 0, null);
    }

    private void job(String id, String parentJobId, String spawnedBy, JobStatus status, long finished,
                     String refusal) {
        boolean slot = status == JobStatus.RUNNING;
        jobs.add(new JobSnapshot(id, "ann", "ann", status, slot, parentJobId, null, false, null, "m.f", null, 1,
                1, 1, slot ? 2 : 0, finished, 3, spawnedBy, refusal, slot ? 2 : 0));
    }

    private SimSnapshot snapshot() {
        return new SimSnapshot(10, 5, 100, 3, Map.of(), 1000, jobs);
    }

    @Test
    void parentsHoldingEverySlotWithQueuedChildren() {
        job("p1", null, JobStatus.RUNNING);
        job("p2", null, JobStatus.RUNNING);
        job("p3", null, JobStatus.RUNNING);
        job("c1", "p1", JobStatus.QUEUED);
        job("c2", "p2", JobStatus.QUEUED);
        job("c3", "p3", JobStatus.QUEUED);
        job("done", "p3", JobStatus.COMPLETED);
        Deadlock d = DeadlockDetector.find(snapshot()).orElseThrow();
        assertThat(d.user()).isEqualTo("ann");
        assertThat(d.parents()).containsExactly("p1", "p2", "p3");
        assertThat(d.children()).containsExactly("c1", "c2", "c3");
    }

    @Test
    void nestedParentsWaitingOnEachOtherAreStuckToo() {
        job("top", null, JobStatus.RUNNING);
        job("mid", "top", JobStatus.RUNNING);
        job("other", null, JobStatus.RUNNING);
        job("leaf1", "mid", JobStatus.QUEUED);
        job("leaf2", "other", JobStatus.QUEUED);
        assertThat(DeadlockDetector.find(snapshot()).orElseThrow().parents()).containsExactly("top", "mid", "other");
    }

    @Test
    void aRunningLeafOrAFreeSlotMeansProgress() {
        job("p1", null, JobStatus.RUNNING);
        job("p2", null, JobStatus.RUNNING);
        job("c1", "p1", JobStatus.QUEUED);
        job("c2", "p2", JobStatus.QUEUED);
        assertThat(DeadlockDetector.find(snapshot())).as("a slot is free").isEmpty();
        job("leaf", "p1", JobStatus.RUNNING);
        assertThat(DeadlockDetector.find(snapshot())).as("the third slot runs a leaf").isEmpty();
    }

    @Test
    void childrenNamingTheirParentJobIdStillCount() {
        for (String p : List.of("p1", "p2", "p3")) {
            job(p, null, JobStatus.RUNNING);
            job("c-" + p, p, null, JobStatus.QUEUED, 0, null); // the old shape, before its answer arrived
        }
        assertThat(DeadlockDetector.find(snapshot()).orElseThrow().children()).containsExactly("c-p1", "c-p2", "c-p3");
    }

    @Test
    void anAppFailedByARefusedChildLeavesItsUnfinishedChildrenAsOrphans() {
        job("failed", null, null, JobStatus.ERROR, 50, "KBParallel: run_job for a m.f task failed: refused");
        job("running", null, "failed", JobStatus.RUNNING, 0, null);
        job("queued", null, "failed", JobStatus.QUEUED, 0, null);
        job("endedLater", null, "failed", JobStatus.COMPLETED, 51, null);
        job("endedBefore", null, "failed", JobStatus.COMPLETED, 50, null);
        job("ok", null, null, JobStatus.COMPLETED, 60, null);
        job("okChild", null, "ok", JobStatus.COMPLETED, 55, null);
        job("appFailedByItsOwnError", null, null, JobStatus.ERROR, 40, null);
        job("runningParent", null, null, JobStatus.RUNNING, 0, null);
        job("itsChild", null, "runningParent", JobStatus.RUNNING, 0, null);

        assertThat(DeadlockDetector.failedByRefusal(snapshot())).extracting(JobSnapshot::jobId).containsExactly("failed");
        assertThat(DeadlockDetector.orphans(snapshot()))
                .extracting(Orphan::jobId, Orphan::status, Orphan::parentJobId,
                        Orphan::parentStatus)
                .containsExactly(tuple("running", "running", "failed", "error"),
                        tuple("queued", "queued", "failed", "error"),
                        tuple("endedLater", "completed", "failed", "error"));
    }

    @Test
    void aParentWithoutUnfinishedChildrenIsAboutToFinish() {
        job("p1", null, JobStatus.RUNNING);
        job("p2", null, JobStatus.RUNNING);
        job("p3", null, JobStatus.RUNNING);
        job("c1", "p1", JobStatus.QUEUED);
        job("c2", "p2", JobStatus.QUEUED);
        job("c3", "p3", JobStatus.COMPLETED);
        assertThat(DeadlockDetector.find(snapshot())).isEmpty();
    }
}
