package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.testing.TestUpstream;
import us.kbase.ee2proxy.tracking.Ee2Client;

/**
 * Issue 16, item 6, the proxy's side: the lookup of a retried job tells "EE2 said no" (it refuses
 * the retry too) apart from "could not find out" (the retry may be a parallel app), over real
 * sockets, and always completes within its bound.
 */
class RetriedJobsTest {
    private static final Duration BOUND = Duration.ofSeconds(2);
    private static Ee2Simulator sim;
    private static String parallelApp;

    @BeforeAll
    static void start() throws Exception {
        sim = Ee2Simulator.builder().defaultSeconds(3600).token("tok-ann", "ann").token("tok-ben", "ben")
                .token("tok-ops", "ops", "EE2_ADMIN").build().start();
        parallelApp = Ee2Calls.jobId(Ee2Calls.send(sim.url(), "tok-ann", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
        Ee2Calls.send(sim.url(), "tok-ann", Ee2Calls.call("cancel_job", Map.of("job_id", parallelApp)));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private static RetriedJob lookup(URI ee2, String token, String jobId, boolean asAdmin) throws Exception {
        long start = System.nanoTime();
        CompletionStage<RetriedJob> answer = new Ee2RetriedJobs(new Ee2Client(ee2, BOUND)).lookup(token, jobId, asAdmin);
        RetriedJob job = answer.toCompletableFuture().get(BOUND.toSeconds() + 10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND.plusSeconds(5));
        return job;
    }

    @Test
    void ee2ShowingTheJobGivesItsParams() throws Exception {
        assertThat(lookup(sim.url(), "tok-ann", parallelApp, false)).isInstanceOfSatisfying(RetriedJob.Found.class,
                found -> assertThat(found.params().method()).isEqualTo(PolicyGateTest.PARALLEL_APP));
        assertThat(lookup(sim.url(), "tok-ops", parallelApp, true)).as("an admin's retry, as_admin")
                .isInstanceOf(RetriedJob.Found.class);
    }

    @Test
    void ee2SayingNoIsNotFound() throws Exception {
        assertThat(lookup(sim.url(), "tok-ben", parallelApp, false)).as("another user's job")
                .isInstanceOfSatisfying(RetriedJob.NotFound.class, no -> assertThat(no.message()).contains("permission"));
        assertThat(lookup(sim.url(), "tok-ann", "0123456789abcdef01234567", false)).as("no such job")
                .isInstanceOf(RetriedJob.NotFound.class);
        assertThat(lookup(sim.url(), "tok-ops", parallelApp, false)).as("an admin without as_admin")
                .isInstanceOf(RetriedJob.NotFound.class);
    }

    @Test
    void notFindingOutIsUnknownNotNotFound() throws Exception {
        try (TestUpstream silent = new TestUpstream((ctx, req) -> { /* never answers */ })) {
            assertThat(lookup(silent.url(), "tok-ann", parallelApp, false)).as("slower than the bound")
                    .isInstanceOf(RetriedJob.Unknown.class);
        }
        try (TestUpstream gateway = new TestUpstream((ctx, req) -> ctx.writeAndFlush(TestUpstream.json(
                HttpResponseStatus.BAD_GATEWAY, "{\"error\": {\"code\": 502, \"message\": \"bad gateway\"}}")))) {
            assertThat(lookup(gateway.url(), "tok-ann", parallelApp, false)).as("a gateway's JSON error")
                    .isInstanceOf(RetriedJob.Unknown.class);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(lookup(URI.create("http://127.0.0.1:" + closed + "/"), "tok-ann", parallelApp, false))
                .as("EE2 unreachable").isInstanceOf(RetriedJob.Unknown.class);
    }

    @Test
    void theFormerFaceStillSaysEmptyOnlyWhenEe2SaidNo() throws Exception {
        RetriedJobs ee2 = new Ee2RetriedJobs(new Ee2Client(sim.url(), BOUND));
        assertThat(ee2.params("tok-ann", parallelApp).toCompletableFuture().get(20, TimeUnit.SECONDS)).isPresent();
        assertThat(ee2.params("tok-ben", parallelApp).toCompletableFuture().get(20, TimeUnit.SECONDS)).isEmpty();
        try (TestUpstream silent = new TestUpstream((ctx, req) -> { })) {
            assertThat(new Ee2RetriedJobs(new Ee2Client(silent.url(), BOUND)).params("tok-ann", parallelApp))
                    .failsWithin(Duration.ofSeconds(20));
        }
    }
}
