package us.kbase.ee2proxy.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * {@code X-Ee2-Proxy-Decision} on the replies to job-creating calls, in shadow mode: it names the
 * decision and what enforce would have done, and never appears on a call that creates no job.
 */
class DecisionHeaderTest {
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim.defaultSeconds(3600).token("tok-ivy", "ivy"))
            .admission("""
                    mode: shadow
                    slots: 4
                    parents:
                      maxPerUser: 1
                      maxNestingDepth: 1
                      whenFull: hold
                      maxWait: 10m
                    """)
            .build();

    @Test
    void shadowModeSaysWhatEnforceWouldHaveDoneAndTheBodyStaysEe2s() throws Exception {
        RawHttp.Response plain = StatusCalls.run(proxy.url(), "tok-ivy", StatusCalls.runJob(
                "kb_uploadmethods.import_fastq_sra_as_reads_from_staging", Map.of()));
        assertThat(plain.header("X-Ee2-Proxy-Decision")).isEqualTo("admitted; class=plain");
        RawHttp.Response first = StatusCalls.run(proxy.url(), "tok-ivy", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        assertThat(first.header("X-Ee2-Proxy-Decision")).isEqualTo("admitted; class=parent");
        RawHttp.Response second = StatusCalls.run(proxy.url(), "tok-ivy", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.header("X-Ee2-Proxy-Decision")).isEqualTo("admitted; class=parent; enforce=wait");
        assertThat(second.bodyText()).startsWith("{").contains("\"result\"").doesNotContain("enforce");

        try (RawHttp http = new RawHttp(proxy.url())) {
            RawHttp.Response ver = http.send(RawHttp.post("/", "{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": \"1\"}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), "Authorization: tok-ivy")).read();
            assertThat(ver.status()).isEqualTo(200);
            assertThat(ver.header("X-Ee2-Proxy-Decision")).isNull();
        }
    }
}
