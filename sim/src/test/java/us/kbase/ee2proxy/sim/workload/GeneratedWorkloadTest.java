package us.kbase.ee2proxy.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.SimulatorExtension;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.ChildShape;
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
    void oneWorkloadInFourKeepsTheOldLinkedShapeNestingToDepthTwoTheRealShapeToDepthOne() {
        long linked = LongStream.rangeClosed(1, 200)
                .filter(seed -> WorkloadGenerator.childShape(seed) == ChildShape.LINKED).count();
        assertThat(linked).isEqualTo(50);
        // Seed 4: linked, nesting to depth 2 (kb_Parallel0 runs kb_Parallel1 apps, which run kb_Parallel2 apps).
        Workload w = WorkloadGenerator.generate(4, WorkloadGenerator.Shape.standard());
        List<AppProfile> parents = w.apps().stream().filter(AppProfile::isParent).toList();
        assertThat(parents).extracting(AppProfile::method).containsExactlyInAnyOrder("kb_Parallel0.run_parallel",
                "kb_Parallel1.run_parallel", "kb_Parallel2.run_parallel");
        assertThat(parents).allMatch(p -> p.children().shape() == ChildShape.LINKED);
        assertThat(w.profile("kb_Parallel0.run_parallel").children().app()).isEqualTo("kb_Parallel1.run_parallel");
        assertThat(w.profile("kb_Parallel1.run_parallel").children().app()).isEqualTo("kb_Parallel2.run_parallel");
        assertThat(w.profile(w.profile("kb_Parallel2.run_parallel").children().app()).isParent()).isFalse();
        // Seed 3: KBParallel's real shape, one level of nesting (what the proxy can attribute exactly).
        Workload real = WorkloadGenerator.generate(3, WorkloadGenerator.Shape.standard());
        List<AppProfile> realParents = real.apps().stream().filter(AppProfile::isParent).toList();
        assertThat(realParents).extracting(AppProfile::method)
                .containsExactlyInAnyOrder("kb_Parallel0.run_parallel", "kb_Parallel1.run_parallel");
        assertThat(realParents).allMatch(p -> p.children().shape() == ChildShape.KBPARALLEL);
        assertThat(real.profile("kb_Parallel0.run_parallel").children().app()).isEqualTo("kb_Parallel1.run_parallel");
    }

    @Test
    void everyRunEndsFinishedOrInARealDeadlock() throws Exception {
        int deadlocks = 0;
        for (long seed = 1; seed <= 4; seed++) {
            Workload w = WorkloadGenerator.generate(seed, WorkloadGenerator.Shape.standard());
            WorkloadReport r = new WorkloadRunner(sim.url()).run(w);
            assertThat(r.verdict()).as("seed %d:%n%s", seed, r.toTable()).isIn(Verdict.FINISHED, Verdict.DEADLOCK);
            assertThat(r.rejected()).as("seed %d", seed).isEmpty();
            assertThat(r.appsFailedByRefusal()).as("seed %d", seed).isEmpty();
            boolean linked = WorkloadGenerator.childShape(seed) == ChildShape.LINKED;
            List<JobSnapshot> children = sim.get().jobs().stream().filter(j -> j.spawnedBy() != null).toList();
            assertThat(children).as("seed %d: a child names its parent only in the linked shape", seed)
                    .allMatch(c -> linked ? c.spawnedBy().equals(c.parentJobId()) : c.parentJobId() == null);
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
