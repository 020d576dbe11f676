package us.kbase.ee2proxy.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.SimulatorExtension;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Verdict;

/** Random workloads straight on the simulator end in a clear verdict: finished, or a real deadlock. */
class GeneratedWorkloadTest {
    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b);

    @Test
    void sameSeedSameWorkload() {
        WorkloadGenerator.Shape shape = WorkloadGenerator.Shape.standard();
        assertThat(WorkloadGenerator.generate(7, shape)).isEqualTo(WorkloadGenerator.generate(7, shape));
        assertThat(WorkloadGenerator.generate(7, shape)).isNotEqualTo(WorkloadGenerator.generate(8, shape));
    }

    @Test
    void everyRunEndsFinishedOrInARealDeadlock() throws Exception {
        int deadlocks = 0;
        for (long seed = 1; seed <= 4; seed++) {
            Workload w = WorkloadGenerator.generate(seed, WorkloadGenerator.Shape.standard());
            WorkloadReport r = new WorkloadRunner(sim.url()).run(w);
            assertThat(r.verdict()).as("seed %d:%n%s", seed, r.toTable()).isIn(Verdict.FINISHED, Verdict.DEADLOCK);
            assertThat(r.rejected()).as("seed %d", seed).isEmpty();
            if (r.deadlocked()) {
                deadlocks++;
                List<JobSnapshot> jobs = sim.get().jobs();
                assertThat(r.deadlock().parents()).hasSize(10).allMatch(id -> jobs.stream().anyMatch(j ->
                        j.jobId().equals(id) && j.user().equals(r.deadlock().user()) && j.app().startsWith("kb_Parallel")));
            } else {
                assertThat(r.unfinished()).isEmpty();
                assertThat(r.finished()).isEqualTo(r.jobs());
            }
        }
        System.out.println("generated workloads that deadlocked directly: " + deadlocks + " of 4");
    }
}
