package us.kbase.ee2proxy.sim.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** KBParallel's polling back-off (generate_sleep_interval) and the child run_job's params. */
class ParallelAppTest {
    static final URI EE2 = URI.create("https://kbase.us/services/ee2");

    @Test
    void sleepsOneSecondThenFiveThenFifteen() {
        assertThat(ParallelApp.sleepSeconds(0)).isEqualTo(1);
        assertThat(ParallelApp.sleepSeconds(19)).isEqualTo(1);
        assertThat(ParallelApp.sleepSeconds(20)).isEqualTo(5);
        assertThat(ParallelApp.sleepSeconds(295)).isEqualTo(5);
        assertThat(ParallelApp.sleepSeconds(300)).isEqualTo(15);
    }

    @Test
    void theDefaultShapeIsJobRunRemotelysByteForByte() {
        ObjectNode p = ParallelApp.childParams(new ChildPlan("kb_hisat2.run_hisat2_one", 3, 3, 1), "parent-id", 9L, EE2);
        assertThat(p.toString()).isEqualTo("{\"method\":\"kb_hisat2.run_hisat2_one\",\"params\":[{}],"
                + "\"service_ver\":\"release\",\"parent_job_id\":null,\"app_id\":\"kb_hisat2\",\"wsid\":null,"
                + "\"remote_url\":\"https://kbase.us/services/ee2\"}");
        ObjectNode withWs = ParallelApp.childParams(new ChildPlan("kb_hisat2.one", 1, 1, 1).withWsid(42L), "p", null, EE2);
        assertThat(withWs.get("wsid").asLong()).as("the caller's workspace_id, when it passes one").isEqualTo(42);
    }

    @Test
    void theLinkedShapeNamesTheParent() {
        ObjectNode p = ParallelApp.childParams(new ChildPlan("kb_hisat2.one", 1, 1, 1).withShape(ChildShape.LINKED),
                "65a1b2c3d4e5f60718293a4b", 9L, EE2);
        assertThat(p.toString()).isEqualTo("{\"method\":\"kb_hisat2.one\",\"app_id\":\"kb_hisat2/one\",\"params\":[{}],"
                + "\"service_ver\":\"release\",\"parent_job_id\":\"65a1b2c3d4e5f60718293a4b\",\"wsid\":9,"
                + "\"meta\":{\"run_id\":\"child\"}}");
    }

    @Test
    void theAppsErrorSaysWhatTheReplySaid() {
        ObjectNode error = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("code", -32000)
                .put("name", "Server error").put("message", "your limit is 5");
        assertThat(ParallelApp.errorText(new CompletionException(new Ee2CallError("execution_engine2.run_job", error)),
                null)).isEqualTo("your limit is 5");
        assertThat(ParallelApp.errorText(new Ee2CallError("execution_engine2.run_job", 503), null))
                .isEqualTo("execution_engine2.run_job: HTTP 503");
        assertThat(ParallelApp.errorText(new IOException("connection closed"), null)).isEqualTo("connection closed");
    }
}
