package us.kbase.ee2proxy.stall;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.testing.Await;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * config/workloads/twelve-parallel-apps.yaml through a proxy in shadow mode: nothing waits at the
 * proxy, so alice's twelve kb_Bowtie2 apps deadlock her ten slots at the simulator as they would
 * at EE2, and the detector (threshold 1 s) must say so, naming alice and her parents.
 */
class TwelveParallelAppsStallTest {
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim)
            .admission("mode: shadow\n")
            .config(c -> c.withStall(Workloads.QUICK))
            .build();

    @Test
    void reportsAliceStalledByHerParallelApps() throws Exception {
        WorkloadReport report = Workloads.run(proxy, "twelve-parallel-apps");
        assertThat(report.deadlocked()).as(report.toTable()).isTrue();

        Await.await("the detector reports alice", Duration.ofSeconds(30), () -> Workloads.episodes(proxy) == 1);
        JsonNode state = Workloads.state(proxy);
        JsonNode stalls = state.path("stalls");
        assertThat(stalls).hasSize(1);
        JsonNode alice = stalls.get(0);
        assertThat(alice.path("user").asText()).isEqualTo("alice");
        assertThat(alice.path("slots").asInt()).isEqualTo(10);
        assertThat(alice.path("parallelApps").asInt()).isEqualTo(12);
        assertThat(alice.path("missingFromParentsApps")).isEmpty();
        Set<String> parents = new HashSet<>();
        int children = 0;
        for (JsonNode a : alice.path("apps")) {
            assertThat(a.path("app").asText()).isEqualTo("kb_Bowtie2");
            assertThat(a.path("listed").asBoolean()).isTrue();
            parents.add(a.path("jobId").asText());
            children += a.path("admittedChildren").asInt() + a.path("waitingChildren").asInt();
        }
        assertThat(parents).hasSize(12);
        assertThat(children).as("the ten running apps' children, none started").isEqualTo(30);
        assertThat(alice.path("text").asText()).startsWith("alice: all 10 slots are taken by 12 parallel apps")
                .contains("Every app is in parents.apps").contains(parents.iterator().next());
        assertThat(state.path("fanOuts")).as("kb_Bowtie2 is listed").isEmpty();

        assertThat(Workloads.get(proxy, "/metrics")).contains("ee2proxy_stall_users 1.0")
                .contains("ee2proxy_stall_episodes_total 1.0");
        assertThat(Workloads.get(proxy, "/console")).contains("id=\"stalls\"").contains("slots are taken by 12");

        Thread.sleep(500); // more checks: the same episode is not reported again
        assertThat(Workloads.episodes(proxy)).isEqualTo(1);
    }
}
