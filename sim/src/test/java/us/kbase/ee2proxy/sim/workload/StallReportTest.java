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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.SimulatorExtension;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.ChildPlan;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.UnfinishedJob;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Verdict;

/**
 * A stalled run says what its unfinished jobs wait on: in front of the simulator, a stand-in proxy
 * that never answers a parallel app's check_job. The app's loop then waits for good with its job
 * {@code running} and nothing moving, and the report names that call (unanswered, for how long),
 * the app's last answered calls, and its runner's.
 */
class StallReportTest {
    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b);

    static HttpServer relay;
    static ExecutorService relayThreads;
    /** The calls the relay keeps unanswered, closed when the test ends. */
    static final Queue<HttpExchange> swallowed = new ConcurrentLinkedQueue<>();

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
        swallowed.forEach(HttpExchange::close);
        relay.stop(0);
        relayThreads.shutdownNow();
    }

    private static void forward(HttpClient upstream, HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.contains("\"execution_engine2.check_job\"")) {
            swallowed.add(ex); // never answered
            return;
        }
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(sim.url().resolve(ex.getRequestURI().getPath()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                req.header("Authorization", auth);
            }
            HttpResponse<byte[]> res = upstream.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
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
    void aStalledRunNamesTheCallEachUnfinishedJobWaitsOn() throws Exception {
        URI proxy = URI.create("http://127.0.0.1:" + relay.getAddress().getPort() + "/services/ee2");
        Workload w = Workload.builder("stalls").speed(50).runners(true).stallSeconds(2).timeoutSeconds(60)
                .user("dee", "d-1")
                .app(AppProfile.parent("kb_Bowtie2.align_reads_to_assembly_app", 1,
                        new ChildPlan("kb_Bowtie2.align_one", 1, 1, 0)))
                .app(AppProfile.plain("kb_Bowtie2.align_one", 5))
                .submit(Submission.job(0, "dee", "kb_Bowtie2.align_reads_to_assembly_app"))
                .build();
        WorkloadReport r = new WorkloadRunner(proxy).run(w);

        assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.STALLED);
        UnfinishedJob app = r.unfinished().stream().filter(j -> j.app().startsWith("kb_Bowtie2.align_reads"))
                .findFirst().orElseThrow();
        String child = sim.get().jobs().stream().filter(j -> j.spawnedBy() != null).findFirst().orElseThrow().jobId();
        List<String> calls = app.calls();
        assertThat(calls).as(r.toTable()).isNotEmpty();
        assertThat(calls.get(0)).as(r.toTable()).startsWith("UNANSWERED app check_job(" + child + ") for ");
        assertThat(calls).as(r.toTable())
                .anyMatch(c -> c.startsWith("answered app run_job -> \"" + child + "\""))
                .anyMatch(c -> c.startsWith("answered runner start_job"))
                .anyMatch(c -> c.startsWith("app turn done (1 running, 0 pending, 0 of 1 settled)"));
        assertThat(r.toTable()).contains("      UNANSWERED app check_job(" + child + ")");
        assertThat(r.unansweredCalls()).as("the run's own calls were all answered").isEmpty();
    }
}
