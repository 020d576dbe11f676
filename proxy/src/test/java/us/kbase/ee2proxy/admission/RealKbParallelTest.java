package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadRunner;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * Issue 11's scenarios: N kb_Bowtie2 sample-set apps x 3 tasks, children 15 s, through the proxy
 * in front of the simulator, whose parallel apps send children as the real KBParallel 0.4.3 does
 * ({@code parent_job_id: null}, module-only {@code app_id}, {@code remote_url}) and fail the whole
 * app on an error reply. Before the fix, 3 apps lost one and 5 lost all five. With the default
 * policy (and with a short parents.maxWait, to show the result does not hang on it) every app
 * finishes, no child is refused or counted as a parent, and no parallel app waits at the proxy
 * (children may: they go to EE2 while a slot is free for them).
 */
class RealKbParallelTest {
    static final Path WORKLOAD = Path.of("../config/workloads/bowtie2-sample-sets.yaml");

    @ParameterizedTest(name = "{0} apps, parents.maxWait {1}")
    @CsvSource({"2, 10m", "3, 10m", "5, 10m", "5, 30s"})
    void everySampleSetAppFinishesAndItsChildrenAreChildren(int apps, String maxWait, @TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("sample-sets.yaml");
        Files.writeString(file, Files.readString(WORKLOAD).replace("repeat: 5", "repeat: " + apps));
        Workload workload = Workload.load(file);
        AdmissionPolicy policy = PolicyLoader.parse("parents:\n  maxWait: " + maxWait + "\n", "default, maxWait " + maxWait);
        try (ProxyExtension proxy = ProxyExtension.withSimulator(b -> b).admission(policy).build().start()) {
            WorkloadReport direct = new WorkloadRunner(proxy.simulator().url()).run(workload);
            assertThat(direct.allFinished()).as(direct.toTable()).isTrue();

            WorkloadReport proxied = new WorkloadRunner(proxy.url()).run(workload);

            assertThat(proxied.allFinished()).as(proxied.toTable()).isTrue();
            assertThat(proxied.appsFailedByRefusal()).as(proxied.headline()).isEmpty();
            assertThat(proxied.orphans()).isEmpty();
            assertThat(proxied.rejected()).isEmpty();
            assertThat(proxy.admissionCounter("admitted.parent")).isEqualTo(apps);
            assertThat(proxy.admissionCounter("admitted.child")).isEqualTo(3L * apps);
            assertThat(proxy.admissionCounter("held.parent")).isZero();
            assertThat(proxy.admissionCounter("refused.parent") + proxy.admissionCounter("refused.child")).isZero();
            assertThat(proxy.admission().holds().held()).isZero();
        }
    }
}
