package us.kbase.ee2proxy.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;

/**
 * What an interactive job waited behind, on a hand-made run of one user with 2 slots at speed 1
 * (real millis are simulated millis): a parallel app holds a slot from 0 to 100 s, a plain job
 * queued at 1 s runs from 2 to 60 s, a child waits at the proxy from 5 to 60 s, and the
 * interactive job, sent at 10 s, is created at 12 s, given a slot at 60 s and reports
 * {@code start_job} at 61 s.
 */
class WaitAnatomyTest {
    private final List<JobSnapshot> jobs = new ArrayList<>();
    private final Map<String, String> kinds = new HashMap<>();
    private final Map<String, Long> sent = new HashMap<>();

    /** Epoch millis of time 0 (0 itself means "never" in a snapshot). */
    private static final long T0 = 1_700_000_000_000L;

    private void job(String id, String kind, long sentAt, long created, long claimed, long running, long finished) {
        sentAt += T0;
        created += T0;
        claimed += T0;
        running += T0;
        finished += T0;
        kinds.put(id, kind);
        sent.put(id, sentAt);
        jobs.add(new JobSnapshot(id, "ann", "ann", JobStatus.COMPLETED, false, null, null, false, null, "m.f", null,
                sentAt, created, created, running, finished, finished, null, null, claimed));
    }

    private WaitAnatomy anatomy() {
        return WaitAnatomy.of(jobs, j -> kinds.get(j.jobId()), j -> sent.get(j.jobId()), 2, T0 + 100_000, 1);
    }

    private void run() {
        job("app", "parallel-app", 0, 0, 0, 0, 100_000);
        job("plain", "plain", 1_000, 1_000, 2_000, 2_000, 60_000);
        job("plain2", "plain", 11_000, 11_000, 60_000, 60_000, 70_000);
        job("child", "child", 5_000, 60_000, 60_000, 60_000, 90_000);
        job("mine", "interactive", 10_000, 12_000, 60_000, 61_000, 80_000);
    }

    @Test
    void splitsTheWaitAndNamesWhatWasAheadAndWhatHeldTheSlots() {
        run();
        WaitAnatomy.InteractiveWait w = anatomy().interactive().get(0);
        assertThat(w.beforeEe2()).isEqualTo(2.0);
        assertThat(w.queuedAtEe2()).isEqualTo(48.0);
        assertThat(w.starting()).isEqualTo(1.0);
        assertThat(w.waited()).isEqualTo(51.0);
        assertThat(w.queuedAhead()).containsExactly(Map.entry("plain", 1));
        assertThat(w.running()).isEqualTo(Map.of("parallel-app", 1, "plain", 1));
        assertThat(w.atProxy()).containsExactly(Map.entry("child", 1));
    }

    @Test
    void countsFreeSlotsWhileCallsWereOnTheirWay() {
        run();
        WaitAnatomy.SlotUse u = anatomy().slotUse();
        assertThat(u.available()).isEqualTo(200.0); // 0 to 100 s, 2 slots
        assertThat(u.busy()).containsEntry("parallel-app", 100.0).containsEntry("plain", 68.0)
                .containsEntry("child", 30.0).containsEntry("interactive", 20.0);
        // 0-1 s: nothing waits; 1-2 s: the plain job queued with a slot free (EE2's);
        // 5-60 s: the child waits at the proxy, but from 2 s both slots are busy: no slot is idle for it.
        assertThat(u.idleWhileQueuedAtEe2()).isCloseTo(1.0, within(1e-9));
        assertThat(u.idleWhileWaitingAtProxy()).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void aFreeSlotWhileAChildWaitsAtTheProxyIsIdleTime() {
        job("app", "parallel-app", 0, 0, 0, 0, 100_000);
        job("child", "child", 10_000, 40_000, 40_000, 40_000, 100_000);
        WaitAnatomy.SlotUse u = anatomy().slotUse();
        assertThat(u.idleWhileWaitingAtProxy()).isCloseTo(30.0, within(1e-9));
        assertThat(anatomy().interactive()).isEmpty();
    }
}
