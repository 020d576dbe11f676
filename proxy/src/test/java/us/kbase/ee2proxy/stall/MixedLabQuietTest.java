package us.kbase.ee2proxy.stall;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * config/workloads/mixed-lab.yaml (nested parallel apps, a batch, retries, a cancel; the healthy
 * baseline) through proxies in enforce and in shadow mode, the detector looking every 100 ms with
 * a 1 s threshold: no stall, and no fan-out hint (every app that fans out is listed).
 *
 * <p>Through enforce the run does not finish in the workload's 30 real seconds: mixed-lab has no
 * {@code runners: true}, so nothing tells the proxy that its plain and batch jobs finished (no
 * finish_job passes through it, and the reconciler does not run in tests); their leases stay, and
 * alice's nested apps and bob's children wait at the proxy (the ledger's counts and leases are
 * printed). Its slots are never all taken by parallel apps, so the detector must stay quiet either
 * way; only the shadow run must finish.
 */
class MixedLabQuietTest {
    @RegisterExtension
    final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim)
            .admission("mode: enforce\n")
            .config(c -> c.withStall(Workloads.QUICK))
            .build();

    @RegisterExtension
    final ProxyExtension shadow = ProxyExtension.withSimulator(sim -> sim)
            .admission("mode: shadow\n")
            .config(c -> c.withStall(Workloads.QUICK))
            .build();

    @Test
    void staysQuietInEnforceMode() throws Exception {
        WorkloadReport report = Workloads.run(proxy, "mixed-lab");
        assertThat(report.deadlocked()).as(report.toTable()).isFalse();
        if (!report.allFinished()) {
            System.out.println("mixed-lab through enforce did not finish:\n" + report.headline() + "\n"
                    + Workloads.get(proxy, "/state.json"));
            for (String user : List.of("alice", "bob", "carol")) {
                System.out.println("ledger " + user + ": " + proxy.admission().ledger().counts(user).toCompletableFuture()
                        .join() + " " + proxy.admission().ledger().trackedJobs(user).toCompletableFuture().join());
            }
        }
        quiet(proxy);
    }

    @Test
    void staysQuietInShadowMode() throws Exception {
        WorkloadReport report = Workloads.run(shadow, "mixed-lab");
        assertThat(report.allFinished()).as(report.toTable()).isTrue();
        quiet(shadow);
    }

    private static void quiet(ProxyExtension p) throws Exception {
        Thread.sleep(300); // a few more looks after the last job
        assertThat(Workloads.episodes(p)).isZero();
        JsonNode state = Workloads.state(p);
        assertThat(state.path("stalls")).isEmpty();
        assertThat(state.path("fanOuts")).isEmpty();
        assertThat(state.path("users")).as("the detector had users to look at").isNotEmpty();
        assertThat(Workloads.get(p, "/metrics")).contains("ee2proxy_stall_users 0.0");
    }
}
