package us.kbase.ee2proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * {@code explain --live USER} against a running proxy: amy runs one parallel app (the simulator
 * keeps it running for an hour), so under a cap of one her next parallel app waits, while her
 * next plain job and the next child of her app are admitted, all on the counts the proxy shows.
 */
class ExplainLiveTest {
    private static final String POLICY = """
            slots: 4
            parents:
              maxPerUser: 1
              maxNestingDepth: 1
              whenFull: hold
              maxWait: 10m
            children:
              maxQueued: 0
              maxWait: 10m
            """;
    private static final JsonMapper JSON = new JsonMapper();

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim.defaultSeconds(3600)
                    .token("tok-amy", "amy"))
            .admission(POLICY)
            .build();

    @TempDir
    Path dir;

    @Test
    void explainsTheNextCallOfEachClassOnLiveCounts() throws Exception {
        String app = runJob("tok-amy", "kb_Bowtie2.align_reads_to_assembly_app");
        Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
        String admin = proxy.adminUrl("/").toString();

        PolicyCommandsTest.Run r = PolicyCommandsTest.run("explain", "--live", "amy", "--admin-url", admin,
                "--policy", policy.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        String[] parts = r.out().split("== the next ");
        assertThat(parts).hasSize(4);
        assertThat(parts[0]).contains("/state.json").contains("0 of amy's calls wait at the proxy");
        assertThat(parts[1]).startsWith("plain job").contains("counts:        P(u)=1 A(u)=1 (kb_Bowtie2 x1)")
                .contains("decision:      ADMIT");
        assertThat(parts[2]).startsWith("new parallel app (kb_Bowtie2.run_app)").contains("decision:      HOLD");
        assertThat(parts[3]).startsWith("child of parallel app " + app).contains("of " + app)
                .contains("decision:      ADMIT");

        // The console's view of the same: the next call of each class, per user, in /state.json.
        JsonNode amy = null;
        try (RawHttp http = new RawHttp(proxy.adminUrl("/"))) {
            http.send("GET /state.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            for (JsonNode u : JSON.readTree(new String(http.read().body(), StandardCharsets.UTF_8)).path("users")) {
                amy = "amy".equals(u.path("user").asText()) ? u : amy;
            }
        }
        assertThat(amy).isNotNull();
        JsonNode next = amy.path("next");
        assertThat(next).hasSize(3);
        assertThat(next.get(0).path("decision").asText()).isEqualTo("admitted");
        assertThat(next.get(1).path("call").asText()).isEqualTo("new parallel app (kb_Bowtie2)");
        assertThat(next.get(1).path("decision").asText()).startsWith("waits at the proxy up to 10m");
        assertThat(next.get(1).path("reason").asText()).contains("P(u)=1");
        assertThat(next.get(2).path("call").asText()).startsWith("child of " + app);
        assertThat(next.get(2).path("decision").asText()).isEqualTo("admitted");

        PolicyCommandsTest.Run nobody = PolicyCommandsTest.run("explain", "--live", "zed", "--admin-url", admin,
                "--policy", policy.toString());
        assertThat(nobody.out()).contains("shows nothing of zed").contains("P(u)=0 A(u)=0");
    }

    @Test
    void saysWhenNoProxyAnswers() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
        PolicyCommandsTest.Run r = PolicyCommandsTest.run("explain", "--live", "amy", "--admin-url",
                "http://127.0.0.1:1/", "--policy", policy.toString());
        assertThat(r.exit()).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(r.err()).contains("cannot read the live state from http://127.0.0.1:1/");
        assertThat(PolicyCommandsTest.run("explain", "--policy", policy.toString()).err())
                .contains("give --request FILE").contains("--live USER");
    }

    private static String runJob(String token, String method) throws Exception {
        byte[] body = JSON.writeValueAsBytes(Map.of("method", "execution_engine2.run_job", "version", "1.1", "id", "1",
                "params", List.of(Map.of("method", method, "app_id", method.replace('.', '/'), "params", List.of(Map.of()),
                        "wsid", 42))));
        try (RawHttp http = new RawHttp(proxy.url())) {
            http.send(RawHttp.post("/services/ee2", body, "Content-Type: application/json", "Authorization: " + token));
            JsonNode reply = JSON.readTree(new String(http.read().body(), StandardCharsets.UTF_8));
            return reply.path("result").get(0).asText();
        }
    }
}
