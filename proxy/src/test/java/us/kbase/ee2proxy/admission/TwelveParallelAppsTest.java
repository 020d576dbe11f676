package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadRunner;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * The mission in one test: config/workloads/twelve-parallel-apps.yaml deadlocks when run straight
 * at EE2 (the simulator) and finishes through the proxy with the default policy and the in-memory
 * ledger. The workload's simulated job runners report finish_job through the URL under test, as
 * real ones do: that is how the proxy learns a parent finished.
 */
class TwelveParallelAppsTest {
    @Test
    void deadlocksDirectlyAndFinishesThroughTheProxy() throws Exception {
        Workload workload = Workload.load(Path.of("../config/workloads/twelve-parallel-apps.yaml"));
        try (ProxyExtension proxy = ProxyExtension.withSimulator(b -> b).admission(AdmissionPolicy.defaults()).build().start()) {
            WorkloadReport direct = new WorkloadRunner(proxy.simulator().url()).run(workload);
            assertThat(direct.deadlocked()).as(direct.toTable()).isTrue();

            WorkloadReport proxied = new WorkloadRunner(proxy.url()).run(workload);

            assertThat(proxied.allFinished()).as(proxied.toTable()).isTrue();
            assertThat(proxied.appsFailedByRefusal()).as(proxied.headline()).isEmpty();
            assertThat(proxy.admissionCounter("admitted.child")).as("KBParallel's children counted as children").isEqualTo(36);
            assertThat(proxy.admissionCounter("held.parent")).as("parallel apps beyond the cap were held").isPositive();
            assertThat(proxy.admission().holds().held()).isZero();
        }
    }
}
