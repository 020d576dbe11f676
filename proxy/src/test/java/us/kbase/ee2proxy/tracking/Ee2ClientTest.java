package us.kbase.ee2proxy.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.sim.Ee2Simulator;

/** Against the simulator's EE2: the shapes of check_job, check_jobs and the date range. */
class Ee2ClientTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static Ee2Simulator sim;
    private static Ee2Client ee2;

    @BeforeAll
    static void start() throws InterruptedException {
        sim = Ee2Simulator.builder()
                .token("alice-token", "alice")
                .token("bob-token", "bob")
                .token("reader-token", "ops", "EE2_ADMIN_RO")
                .defaultSeconds(3600)
                .build()
                .start();
        ee2 = new Ee2Client(sim.url(), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    static String runJob(Ee2Client client, String token, String method, String parent) {
        ObjectNode params = JSON.createObjectNode().put("method", method).put("app_id", method.replace('.', '/'));
        if (parent != null) {
            params.put("parent_job_id", parent);
        }
        return get(client.call(token, "run_job", params)).asText();
    }

    static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void checkJobReadsTheInputARetryIsClassifiedBy() {
        String parent = runJob(ee2, "alice-token", "kb_Bowtie2.align_reads_to_assembly_app", null);
        String child = runJob(ee2, "alice-token", "kb_Bowtie2.align_one", parent);

        Ee2Job job = get(ee2.checkJob("alice-token", child));

        assertThat(job.jobId()).isEqualTo(child);
        assertThat(job.user()).isEqualTo("alice");
        assertThat(job.status()).isIn("queued", "running");
        assertThat(job.terminal()).isFalse();
        assertThat(job.created()).isPositive();
        assertThat(job.input().method()).isEqualTo("kb_Bowtie2.align_one");
        assertThat(job.input().appId()).isEqualTo("kb_Bowtie2/align_one");
        assertThat(job.input().parentJobId()).isEqualTo(parent);
        assertThat(job.input().asAdmin()).isFalse();
    }

    @Test
    void checkJobsAsAdminReadsEveryUsersJobsInOrderAndSeesTerminalStates() {
        String a = runJob(ee2, "alice-token", "kb_uploadmethods.import_fastq", null);
        String b = runJob(ee2, "bob-token", "kb_uploadmethods.import_fastq", null);
        get(ee2.call("bob-token", "cancel_job", JSON.createObjectNode().put("job_id", b)));

        List<Ee2Job> jobs = get(ee2.checkJobs("reader-token", List.of(b, a), true, false));

        assertThat(jobs).extracting(Ee2Job::jobId).containsExactly(b, a);
        assertThat(jobs).extracting(Ee2Job::user).containsExactly("bob", "alice");
        assertThat(jobs).extracting(Ee2Job::terminal).containsExactly(true, false);
        assertThat(jobs).allSatisfy(j -> assertThat(j.input()).isNull());
    }

    @Test
    void theDateRangeFindsJobsThatNeverPassedThroughTheProxy() {
        long start = System.currentTimeMillis() - 1;
        String a = runJob(ee2, "alice-token", "kb_concoct.run_kb_concoct", null);
        String b = runJob(ee2, "bob-token", "kb_concoct.run_kb_concoct", null);

        Ee2Client.JobPage page = get(ee2.checkJobsDateRangeForAll("reader-token", start, System.currentTimeMillis() + 1000, 0, 100));

        assertThat(page.jobs()).extracting(Ee2Job::jobId).contains(a, b);
        assertThat(page.queryCount()).isGreaterThanOrEqualTo(2);
        assertThat(page.jobs()).filteredOn(j -> j.jobId().equals(b))
                .singleElement().satisfies(j -> assertThat(j.input().method()).isEqualTo("kb_concoct.run_kb_concoct"));
    }

    @Test
    void ee2sRefusalsAreRefusedAndKeepItsMessage() {
        String bobs = runJob(ee2, "bob-token", "kb_uploadmethods.import_fastq", null);

        assertThatThrownBy(() -> get(ee2.checkJob("alice-token", bobs)))
                .isInstanceOfSatisfying(Ee2CallException.class, e -> {
                    assertThat(e.refused()).isTrue();
                    assertThat(e.code()).isEqualTo(-32000);
                    assertThat(e.getMessage()).contains("alice").contains(bobs);
                });
        assertThatThrownBy(() -> get(ee2.checkJobsDateRangeForAll("alice-token", 0, 1, 0, 10)))
                .isInstanceOfSatisfying(Ee2CallException.class, e -> assertThat(e.refused()).isTrue());
    }

    @Test
    void anUnreachableEe2IsUnavailableWithinTheTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Ee2Client nowhere = new Ee2Client(URI.create("http://127.0.0.1:" + port + "/"), Duration.ofSeconds(2));

        assertThatThrownBy(() -> get(nowhere.checkJob("alice-token", "0123456789abcdef01234567")))
                .isInstanceOfSatisfying(Ee2CallException.class, e -> assertThat(e.refused()).isFalse());
    }

    @Test
    void aSilentEe2IsUnavailableAfterTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            Ee2Client slow = new Ee2Client(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/"), Duration.ofSeconds(1));

            assertThatThrownBy(() -> get(slow.checkJob("alice-token", "0123456789abcdef01234567")))
                    .isInstanceOfSatisfying(Ee2CallException.class, e -> assertThat(e.getMessage()).contains("did not answer"));
        }
    }

}
