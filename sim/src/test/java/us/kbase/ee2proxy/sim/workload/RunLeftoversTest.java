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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.SimulatorExtension;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.ChildPlan;
import us.kbase.ee2proxy.sim.app.ChildShape;
import us.kbase.ee2proxy.sim.app.RunSettings;
import us.kbase.ee2proxy.sim.control.RunConfiguration;
import us.kbase.ee2proxy.sim.control.TokenGrant;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;

/**
 * A call a run's parallel app or runner still had in flight when the next run reset the
 * simulator must change nothing in that next run. RandomizedWorkloadsTest runs each set of seeds
 * straight at the simulator and then, with the same users and tokens, through the proxy, and the
 * direct run's calls still in flight reach the simulator after the proxied run's reset (dozens per
 * reset). A parallel app's child run_job among them creates a job in the proxied run that no run
 * submitted: a nested parallel app whose parent is gone, started under the old run's settings, and
 * a call of it that the reset then drops leaves it {@code running} for good with no warning: the
 * likely cause of a STALLED run seen once in CI (seed 84, a nested kb_Parallel2 "child").
 *
 * <p>Here a stand-in proxy holds the first run's child run_job (as a loaded machine or a proxy
 * can delay a call already sent) until the next run has reset the simulator, then forwards it
 * whole, headers and all.
 */
class RunLeftoversTest {
    static final String TOKEN = "ann-token";
    static final String PARENT = "kb_Parallel1.run_parallel";
    static final String NESTED = "kb_Parallel2.run_parallel";

    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b);

    static HttpServer relay;
    static ExecutorService relayThreads;
    static final CountDownLatch childRunJobHeld = new CountDownLatch(1);
    static final CountDownLatch release = new CountDownLatch(1);
    static final CompletableFuture<Integer> heldCallStatus = new CompletableFuture<>();

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
        release.countDown();
        relay.stop(0);
        relayThreads.shutdownNow();
    }

    /** Forwards every call; the first child run_job only once the test releases it, whatever the client did meanwhile. */
    private static void forward(HttpClient upstream, HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String text = new String(body, StandardCharsets.UTF_8);
        boolean held = text.contains("\"execution_engine2.run_job\"") && text.contains("\"parent_job_id\"")
                && childRunJobHeld.getCount() > 0;
        try {
            if (held) {
                childRunJobHeld.countDown();
                release.await();
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(sim.url().resolve(ex.getRequestURI().getPath()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            for (String h : List.of("Authorization", RunSettings.RUN_HEADER)) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    req.header(h, v);
                }
            }
            HttpResponse<byte[]> res = upstream.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (held) {
                heldCallStatus.complete(res.statusCode());
            }
            ex.getResponseHeaders().set("content-type", res.headers().firstValue("content-type").orElse(""));
            ex.sendResponseHeaders(res.statusCode(), res.body().length == 0 ? -1 : res.body().length);
            ex.getResponseBody().write(res.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client left (the reset dropped its call): the call went to EE2 all the same
        } finally {
            ex.close();
        }
    }

    private static RunConfiguration run(URI ee2Url) {
        return new RunConfiguration(ee2Url.toString(), 50, true, 5, null, null, null,
                List.of(new TokenGrant(TOKEN, "ann", List.of())),
                List.of(AppProfile.parent(PARENT, 1, new ChildPlan(NESTED, 1, 1, 0).withShape(ChildShape.LINKED)),
                        AppProfile.parent(NESTED, 1, new ChildPlan("kb_Leaf.run", 1, 1, 0)
                                .withShape(ChildShape.LINKED)),
                        AppProfile.plain("kb_Leaf.run", 1)),
                true);
    }

    @Test
    void aCallOfTheLastRunChangesNothingInTheNext() throws Exception {
        URI viaRelay = URI.create("http://127.0.0.1:" + relay.getAddress().getPort() + "/services/ee2");
        sim.get().configure(run(viaRelay));
        String parent = sim.result(TOKEN, "execution_engine2.run_job", SimulatorExtension.obj("method", PARENT,
                "app_id", "kb_Parallel1/run_parallel", "params", List.of(), "service_ver", "release")).asText();
        assertThat(childRunJobHeld.await(30, TimeUnit.SECONDS)).as("the parent's child run_job reached the relay")
                .isTrue();

        // The next run: the same user and token, as the proxied run of the same seeds has.
        sim.get().configure(run(sim.url()));
        assertThat(sim.get().jobs()).as("the reset forgot the parent").isEmpty();
        release.countDown();

        assertThat(heldCallStatus.get(30, TimeUnit.SECONDS)).as("the old run's call is refused").isEqualTo(500);
        Thread.sleep(Duration.ofMillis(300).toMillis()); // time for a job it created to be started, had it been
        List<JobSnapshot> leftovers = sim.get().jobs();
        assertThat(leftovers).as("nothing of the run of %s in the next run", parent).isEmpty();

        // The new run's own parents and runners still work.
        String fresh = sim.result(TOKEN, "execution_engine2.run_job", SimulatorExtension.obj("method", NESTED,
                "app_id", "kb_Parallel2/run_parallel", "params", List.of(), "service_ver", "release")).asText();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until && sim.get().jobs().stream().anyMatch(j -> !j.finishedState())) {
            Thread.sleep(20);
        }
        assertThat(sim.get().jobs()).as("%s and its child finished", fresh).hasSize(2)
                .allMatch(j -> j.status() == JobStatus.COMPLETED);
    }
}
