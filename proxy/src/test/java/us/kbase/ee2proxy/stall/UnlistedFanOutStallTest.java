package us.kbase.ee2proxy.stall;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.testing.Await;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * The same twelve apps in shadow under a policy whose parents.apps forgot kb_Bowtie2: the ledger
 * counts the apps as plain jobs, so only the fan-out the proxy sees (KBParallel-shaped runs of the
 * module while its jobs run) tells them apart. The proxy says to add kb_Bowtie2, and still finds
 * alice stalled, naming kb_Bowtie2 as missing from parents.apps.
 */
class UnlistedFanOutStallTest {
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim)
            .admission("""
                    mode: shadow
                    parents:
                      apps: [kb_concoct]
                    """)
            .config(c -> c.withStall(Workloads.QUICK))
            .build();

    @Test
    void suggestsTheMissingLineAndReportsTheStall() throws Exception {
        WorkloadReport report = Workloads.run(proxy, "twelve-parallel-apps");
        assertThat(report.deadlocked()).as(report.toTable()).isTrue();

        Await.await("the detector reports alice", Duration.ofSeconds(30), () -> Workloads.episodes(proxy) == 1);
        JsonNode state = Workloads.state(proxy);
        JsonNode fanOuts = state.path("fanOuts");
        assertThat(fanOuts).hasSize(1);
        assertThat(fanOuts.get(0).path("app").asText()).isEqualTo("kb_Bowtie2");
        assertThat(fanOuts.get(0).path("user").asText()).isEqualTo("alice");
        assertThat(fanOuts.get(0).path("line").asText()).isEqualTo("- kb_Bowtie2");

        JsonNode alice = state.path("stalls").get(0);
        assertThat(alice.path("user").asText()).isEqualTo("alice");
        assertThat(alice.path("parallelApps").asInt()).as("jobs seen fanning out count as parallel apps")
                .isGreaterThanOrEqualTo(10);
        assertThat(alice.path("missingFromParentsApps").get(0).asText()).isEqualTo("kb_Bowtie2");
        assertThat(alice.path("text").asText()).contains("Missing from parents.apps: kb_Bowtie2 (add `- kb_Bowtie2`)");
        for (JsonNode a : alice.path("apps")) {
            assertThat(a.path("listed").asBoolean()).isFalse();
        }
        assertThat(Workloads.get(proxy, "/console")).contains("id=\"fan-outs\"").contains("- kb_Bowtie2");
    }
}
