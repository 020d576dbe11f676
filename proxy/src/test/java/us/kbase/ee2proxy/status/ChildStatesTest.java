package us.kbase.ee2proxy.status;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.control.RunConfiguration;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * Issue 12 item 4: each parallel app's children by state, on real sockets with the simulator as
 * EE2 and its job runners calling start_job, check_job_canceled and finish_job through the proxy.
 * A child waits at the proxy, is queued once EE2 made its job, runs once its runner's start_job
 * passed, and ends done or failed (its finish_job's error, a cancel_job); the counts shown then
 * match what the simulator says of every child.
 */
class ChildStatesTest {
    /** Five unfinished jobs per user: the app and four children; a fifth child waits at the proxy. */
    static final String POLICY = """
            slots: 5
            parents:
              maxPerUser: 1
              maxNestingDepth: 1
              whenFull: hold
              maxWait: 10m
            children:
              maxQueued: 0
              reserve: 0
              maxWait: 10m
            """;
    static final String APP = "kb_Bowtie2.align_reads_to_assembly_app";
    /** Runs 3 s; its first run in the simulator fails. */
    static final String SHORT = "kb_quast.run_QUAST";
    static final String LONG = "kb_quast.run_QUAST_long";

    /** Three running jobs per user at the simulated HTCondor: the app and two children run, more queue. */
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim.slots(3).token("tok-ann", "ann"))
            .admission(POLICY).build();

    @Test
    void childrenMoveFromWaitingToQueuedToRunningToTheirEndAsTheSimulatorSays() throws Exception {
        // The simulator's runners call through the proxy, as KBase's job runners call EE2's URL.
        proxy.simulator().configure(new RunConfiguration(proxy.url().toString(), 1.0, true, 3600, null, null, null, null,
                List.of(AppProfile.plain(APP, 3600), AppProfile.plain(SHORT, 3).withFailures(1),
                        AppProfile.plain(LONG, 3600)), false));
        String app = jobId(run(StatusCalls.runJob(APP, Map.of())));
        await("the app runs at EE2", () -> simStatus(app).equals("running"));

        // Five children as the real KBParallel sends them (attributed to the app): four are
        // admitted (two run, two queue at EE2), the fifth waits at the proxy until one ends.
        Sampler sampler = new Sampler(app);
        sampler.start();
        List<String> shortOnes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            shortOnes.add(jobId(run(kbParallel(SHORT))));
        }
        RawHttp fifth = StatusCalls.start(proxy.url(), "tok-ann", kbParallel(SHORT));
        String last = jobId(fifth.read());
        fifth.close();
        shortOnes.add(last);
        await("the five children ended", () -> children(app).done() + children(app).failed() == 5);
        sampler.stop();

        assertThat(sampler.maxWaiting.get()).as("the fifth child was shown waiting at the proxy").isEqualTo(1);
        assertThat(sampler.waitingBefore(last)).as("it waited before its job was shown").isTrue();
        assertThat(sampler.seen(last)).as("the child that waited").containsExactly("queued", "running", "done");
        for (String id : shortOnes) {
            assertThat(sampler.seen(id)).as(id + " moves only forward").isSubsetOf("queued", "running", "done", "error")
                    .isSortedAccordingTo(java.util.Comparator.comparingInt(ChildStatesTest::order));
        }
        assertThat(sampler.seen(shortOnes.get(2))).as("a child queued at EE2 behind two running")
                .containsExactly("queued", "running", "done");
        assertThat(shortOnes.stream().filter(id -> sampler.seen(id).contains("running"))).hasSize(5);
        assertThat(sampler.seen(shortOnes.get(0))).as("the simulator fails SHORT's first run").endsWith("error");
        Views.Children ended = children(app);
        assertThat(List.of(ended.waiting(), ended.queued(), ended.running(), ended.done(), ended.failed()))
                .containsExactly(0, 0, 0, 4, 1);
        assertThat(ended.failedHow()).containsExactlyEntriesOf(Map.of("error", 1));
        assertMatchesSimulator(app, shortOnes);

        // Children that name the app: two run, two queue at EE2, one waits; its owner cancels one.
        List<String> longOnes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            longOnes.add(jobId(run(StatusCalls.runJob(LONG, Map.of("parent_job_id", app)))));
        }
        RawHttp waiting = StatusCalls.start(proxy.url(), "tok-ann", StatusCalls.runJob(LONG, Map.of("parent_job_id", app)));
        await("two children running, two queued, one waiting", () -> {
            Views.Children c = children(app);
            return c.waiting() == 1 && c.queued() == 2 && c.running() == 2;
        });
        RawHttp.Response cancel = StatusCalls.run(proxy.url(), "tok-ann",
                StatusCalls.JSON.writeValueAsBytes(Map.of("method", "execution_engine2.cancel_job", "version", "1.1",
                        "id", "c1", "params", List.of(Map.of("job_id", longOnes.get(0))))));
        assertThat(cancel.status()).as(cancel.bodyText()).isEqualTo(200);
        longOnes.add(jobId(waiting.read()));
        waiting.close();

        List<String> all = new ArrayList<>(shortOnes);
        all.addAll(longOnes);
        // The cancel frees a slot: a queued child starts there, so wait for that too, not only a match.
        await("the shown states match the simulator's, two children running again",
                () -> matchesSimulator(app, all) && children(app).running() == 2);
        Views.Children now = children(app);
        assertThat(List.of(now.waiting(), now.queued(), now.running(), now.done(), now.failed()))
                .containsExactly(0, 2, 2, 4, 2);
        assertThat(now.failedHow()).containsExactlyInAnyOrderEntriesOf(Map.of("error", 1, "cancelled", 1));
        assertThat(now.ids().failed()).contains(new Views.FailedChild(longOnes.get(0), "cancelled"));
        assertThat(now.admitted()).isEqualTo(4);
        assertThat(now.finished()).isEqualTo(6);

        // The scientist's status.json and the operator's state.json say the same.
        HttpResponse<String> mine = StatusCalls.get(proxy.url().resolve("/status.json"), "Authorization", "tok-ann");
        assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
        assertShown(StatusCalls.json(mine.body()).path("parallelApps"), app);
        JsonNode state = StatusCalls.json(StatusCalls.get(proxy.adminUrl("/state.json")).body());
        for (JsonNode u : state.path("users")) {
            if (u.path("user").asText().equals("ann")) {
                assertShown(u.path("parallelApps"), app);
            }
        }
    }

    private static void assertShown(JsonNode apps, String app) {
        assertThat(apps).hasSize(1);
        JsonNode c = apps.get(0).path("children");
        assertThat(apps.get(0).path("jobId").asText()).isEqualTo(app);
        assertThat(List.of(c.path("waiting").asInt(), c.path("queued").asInt(), c.path("running").asInt(),
                c.path("done").asInt(), c.path("failed").asInt(), c.path("admitted").asInt(), c.path("finished").asInt()))
                .containsExactly(0, 2, 2, 4, 2, 4, 6);
        assertThat(c.path("failedHow").path("cancelled").asInt()).isEqualTo(1);
        assertThat(c.path("ids").path("running")).hasSize(2);
    }

    /** Every child's shown state is the simulator's (queued, running, done, failed with EE2's reason). */
    private static void assertMatchesSimulator(String app, List<String> ids) {
        assertThat(shownStates(app, ids)).isEqualTo(simStates(ids));
    }

    private static boolean matchesSimulator(String app, List<String> ids) {
        return shownStates(app, ids).equals(simStates(ids));
    }

    private static Map<String, String> simStates(List<String> ids) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String id : ids) {
            String s = simStatus(id);
            out.put(id, s.equals("completed") ? "done" : s.equals("terminated") ? "cancelled" : s);
        }
        return out;
    }

    /** What the model shows of each child (from its ids: all are listed here, being few). */
    private static Map<String, String> shownStates(String app, List<String> ids) {
        Views.Children c = children(app);
        Map<String, String> by = new HashMap<>();
        c.ids().queued().forEach(id -> by.put(id, "queued"));
        c.ids().running().forEach(id -> by.put(id, "running"));
        c.ids().done().forEach(id -> by.put(id, "done"));
        c.ids().failed().forEach(f -> by.put(f.jobId(), f.how()));
        Map<String, String> out = new LinkedHashMap<>();
        for (String id : ids) {
            out.put(id, by.get(id));
        }
        return out;
    }

    private static int order(String state) {
        return List.of("queued", "running", "done", "error").indexOf(state) == 3 ? 2
                : List.of("queued", "running", "done").indexOf(state);
    }

    private static String simStatus(String jobId) {
        return proxy.simulator().jobs().stream().filter(j -> j.jobId().equals(jobId)).map(JobSnapshot::status)
                .findFirst().orElseThrow().wire();
    }

    private static Views.Children children(String app) {
        return proxy.admission().live().user("ann", false).parallelApps().stream().filter(a -> a.jobId().equals(app))
                .findFirst().orElseThrow(() -> new AssertionError("parallel app " + app + " not shown")).children();
    }

    private static RawHttp.Response run(byte[] body) throws IOException {
        return StatusCalls.run(proxy.url(), "tok-ann", body);
    }

    private static String jobId(RawHttp.Response r) {
        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        return StatusCalls.json(r).path("result").path(0).asText();
    }

    /** A run_job in KBParallel 0.4.3's shape: no parent_job_id, the module as app_id, remote_url. */
    private static byte[] kbParallel(String method) {
        Map<String, Object> shape = new HashMap<>();
        shape.put("app_id", method.substring(0, method.indexOf('.')));
        shape.put("parent_job_id", null);
        shape.put("wsid", null);
        shape.put("remote_url", "https://kbase.us/services/ee2");
        return StatusCalls.runJob(method, shape);
    }

    /**
     * Reads the model every few milliseconds (what status.json serialises) and keeps, per child,
     * the states it was shown in, in order; and the most children shown waiting at the proxy.
     */
    private static final class Sampler {
        private final String app;
        private final Map<String, List<String>> seen = new HashMap<>();
        /** Children first shown (as queued or later) after a child was shown waiting at the proxy. */
        private final List<String> afterWaiting = new ArrayList<>();
        private boolean sawWaiting;
        final AtomicInteger maxWaiting = new AtomicInteger();
        private final AtomicBoolean on = new AtomicBoolean(true);
        private final Thread thread = new Thread(this::loop, "child-states-sampler");

        Sampler(String app) {
            this.app = app;
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            on.set(false);
            thread.join();
        }

        private void loop() {
            while (on.get()) {
                sample();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
            // One more look once stopped: the end the caller awaited may have come after the last sample.
            sample();
        }

        private void sample() {
            Views.Children c = children(app);
            synchronized (this) {
                maxWaiting.accumulateAndGet(c.waiting(), Math::max);
                sawWaiting |= c.waiting() > 0;
                c.ids().queued().forEach(id -> note(id, "queued"));
                c.ids().running().forEach(id -> note(id, "running"));
                c.ids().done().forEach(id -> note(id, "done"));
                c.ids().failed().forEach(f -> note(f.jobId(), f.how()));
            }
        }

        private void note(String id, String state) {
            List<String> states = seen.computeIfAbsent(id, k -> {
                if (sawWaiting) {
                    afterWaiting.add(k);
                }
                return new ArrayList<>();
            });
            if (states.isEmpty() || !states.get(states.size() - 1).equals(state)) {
                states.add(state);
            }
        }

        synchronized List<String> seen(String id) {
            return List.copyOf(seen.getOrDefault(id, List.of()));
        }

        synchronized boolean waitingBefore(String id) {
            return afterWaiting.contains(id);
        }
    }
}
