package us.kbase.ee2proxy.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.sim.control.SimSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;

/** The deadlock pattern on hand-made snapshots (slots = 3). */
class DeadlockDetectorTest {
    private final List<JobSnapshot> jobs = new ArrayList<>();

    private void job(String id, String parent, JobStatus status) {
        boolean slot = status == JobStatus.RUNNING;
        jobs.add(new JobSnapshot(id, "ann", "ann", status, slot, parent, null, false, null, "m.f", null, 1,
                1, 1, slot ? 2 : 0, status.isTerminal() ? 3 : 0, 3));
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
