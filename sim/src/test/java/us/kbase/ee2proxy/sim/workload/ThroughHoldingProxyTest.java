package us.kbase.ee2proxy.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.SimulatorExtension;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.ChildPlan;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Verdict;

/**
 * A run through a stand-in proxy that forwards everything and holds each child's run_job for a
 * while, as the admission proxy does: the run configures and watches the simulator through it,
 * the simulator's parents call it, and the time a child was held counts in its wait.
 */
class ThroughHoldingProxyTest {
    static final long HOLD_MILLIS = 300;

    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b);

    static HttpServer relay;
    static ExecutorService relayThreads;
    static final AtomicInteger held = new AtomicInteger();
    static final AtomicInteger forwarded = new AtomicInteger();

    @BeforeAll
    static void startRelay() throws IOException {
        HttpClient upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        relayThreads = Executors.newCachedThreadPool();
        relay = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        relay.setExecutor(relayThreads);
        relay.createContext("/", exchange -> forward(upstream, exchange));
        relay.start();
    }

    @AfterAll
    static void stopRelay() {
        relay.stop(0);
        relayThreads.shutdownNow();
    }

    private static void forward(HttpClient upstream, HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            // KBParallel's children carry parent_job_id (null) and remote_url; the workload's own run_jobs neither.
            if (text.contains("\"execution_engine2.run_job\"") && text.contains("remote_url")) {
                held.incrementAndGet();
                Thread.sleep(HOLD_MILLIS);
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(sim.url().resolve(ex.getRequestURI().getPath()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                req.header("Authorization", auth);
            }
            HttpResponse<byte[]> res = upstream.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            forwarded.incrementAndGet();
            ex.getResponseHeaders().set("content-type", res.headers().firstValue("content-type").orElse(""));
            ex.sendResponseHeaders(res.statusCode(), res.body().length == 0 ? -1 : res.body().length);
            ex.getResponseBody().write(res.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    @Test
    void aRunDrivesTheSimulatorThroughTheProxyAndHeldTimeCounts() throws Exception {
        URI proxy = URI.create("http://127.0.0.1:" + relay.getAddress().getPort() + "/services/ee2");
        Workload w = Workload.builder("through-a-proxy").speed(50)
                .user("dee", "d-1")
                .app(AppProfile.parent("kb_Bowtie2.align_reads_to_assembly_app", 1,
                        new ChildPlan("kb_Bowtie2.align_one", 2, 2, 0)))
                .app(AppProfile.plain("kb_Bowtie2.align_one", 5))
                .submit(Submission.job(0, "dee", "kb_Bowtie2.align_reads_to_assembly_app"))
                .build();
        WorkloadReport r = new WorkloadRunner(proxy).run(w);

        assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
        assertThat(r.ee2Url()).isEqualTo(proxy.toString());
        assertThat(held.get()).as("both children's run_job went through the proxy").isEqualTo(2);
        assertThat(forwarded.get()).isGreaterThan(2);
        List<JobSnapshot> children = sim.get().jobs().stream().filter(j -> j.spawnedBy() != null).toList();
        assertThat(children).hasSize(2).allMatch(c -> c.created() - c.requested() >= HOLD_MILLIS);
        assertThat(r.classStats("child").waitSeconds().p50()).as("held time counts, in simulated seconds")
                .isGreaterThanOrEqualTo(HOLD_MILLIS * 50 / 1000.0);
    }
}
