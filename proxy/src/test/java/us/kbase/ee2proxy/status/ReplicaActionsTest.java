package us.kbase.ee2proxy.status;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.admission.AdmissionStack;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.redis.RedisServerExtension;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.testing.AuditLog;
import us.kbase.ee2proxy.testing.LoopbackConfig;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * Two replicas on one real redis-server in front of one simulator: an action sent to either
 * replica reaches the one that holds the call, either replica's views list both replicas' waiting
 * calls, and a change of a user's limits sent to one applies at the other. Each test uses its own user.
 */
class ReplicaActionsTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static Ee2Simulator sim;
    private static Replica a;
    private static Replica b;

    private final List<RawHttp> waiting = new ArrayList<>();

    @RegisterExtension
    final AuditLog audit = new AuditLog();

    /** A proxy with admission on a Redis ledger shared with the other replica. */
    private record Replica(AdmissionStack admission, ProxyServer server) implements AutoCloseable {
        static Replica start(URI upstream, AdmissionPolicy policy, URI redis) throws Exception {
            ProxyConfig config = LoopbackConfig.of(upstream);
            config = config.withAdmission(config.admission().withRedis(redis).withLedgerTimeout(Duration.ofSeconds(2)));
            MetricRegistry registry = new MetricRegistry();
            AdmissionStack admission = AdmissionStack.builder(config, registry).policy(() -> policy)
                    .redisKeyPrefix("replica-actions").build();
            ProxyServer server = ProxyServer.builder(config).metricRegistry(registry).gate(admission.gate())
                    .readiness(admission.readiness()).statusPages(admission.statusPages())
                    .operatorPages(admission.operatorPages()).build().start();
            admission.whenReady().toCompletableFuture().get(30, TimeUnit.SECONDS);
            admission.replicas().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new Replica(admission, server);
        }

        URI url() {
            return server.url();
        }

        URI admin(String path) {
            return URI.create("http://127.0.0.1:" + server.adminPort() + path);
        }

        @Override
        public void close() {
            server.close();
            admission.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        sim = Ee2Simulator.builder().host("127.0.0.1").port(0).defaultSeconds(3600).token("tok-ada", "ada")
                .token("tok-bo", "bo").token("tok-cy", "cy").token("tok-dan", "dan").build().start();
        AdmissionPolicy policy = PolicyLoader.parse(OperatorPagesTest.POLICY, "test policy");
        a = Replica.start(sim.url(), policy, REDIS.server().uri());
        b = Replica.start(sim.url(), policy, REDIS.server().uri());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {b, a, sim}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the next one still closes
            }
        }
    }

    @AfterEach
    void leave() throws Exception {
        for (RawHttp call : waiting) {
            call.close();
        }
    }

    /** The user's first parallel app runs (through A); one more waits at A. Its id. */
    private String oneWaitingAtA(String user) throws Exception {
        RawHttp.Response first = StatusCalls.run(a.url(), "tok-" + user, StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        assertThat(first.status()).as(first.bodyText()).isEqualTo(200);
        waiting.add(StatusCalls.start(a.url(), "tok-" + user, StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await("a call of " + user + " waits at A", () -> waitingAt(a, user).size() == 1);
        return waitingAt(a, user).get(0).path("id").asText();
    }

    private static List<JsonNode> waitingAt(Replica r, String user) {
        HttpResponse<String> all = StatusCalls.get(r.admin("/waiting.json"));
        assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        StatusCalls.json(all.body()).forEach(w -> {
            if (w.path("user").asText().equals(user)) {
                out.add(w);
            }
        });
        return out;
    }

    private static HttpResponse<String> post(URI url, String body) {
        return StatusCalls.send(HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void aCallWaitingAtAIsReleasedByAnActionSentToB() throws Exception {
        String id = oneWaitingAtA("ada");
        assertThat(a.admission().live().call(id)).isPresent();
        assertThat(b.admission().live().call(id)).isEmpty();

        HttpResponse<String> released = post(b.admin("/calls/" + id + "/release"), "{\"why\": \"ticket 7\"}");

        assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
        assertThat(StatusCalls.json(released.body()).path("user").asText()).isEqualTo("ada");
        RawHttp.Response admitted = waiting.get(0).read(); // answered on A, where it waited
        assertThat(admitted.status()).as(admitted.bodyText()).isEqualTo(200);
        assertThat(a.admission().ledger().counts("ada").toCompletableFuture().join().parents()).isEqualTo(2);
        assertThat(sim.jobs().stream().filter(j -> j.user().equals("ada")).count()).isEqualTo(2);
        String lines = audit.text();
        assertThat(lines).contains("who=loopback operator asked_at=" + b.admission().replicas().replica()
                + " action=release call=" + id + " owner=ada done=true why=\"ticket 7\"");
        assertThat(lines.split("action=release call=" + id, -1)).as("audited once").hasSize(2);
    }

    @Test
    void anActionOnACallNoReplicaHoldsAnswers404AfterTheWait() {
        HttpResponse<String> r = post(b.admin("/calls/nosuchcall/refuse"), "{\"why\": \"test\"}");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("no replica holds");
        assertThat(audit.text()).contains("action=refuse call=nosuchcall owner=null done=false");
    }

    @Test
    void aScientistCancelsThroughBTheirCallWaitingAtA() throws Exception {
        String id = oneWaitingAtA("bo");

        HttpResponse<String> others = StatusCalls.send(HttpRequest.newBuilder(b.url().resolve("/services/ee2/status/calls/" + id))
                .DELETE(), "Authorization", "tok-cy");
        assertThat(others.statusCode()).as("another user's cancel").isEqualTo(404);
        assertThat(a.admission().live().call(id)).isPresent();

        HttpResponse<String> mine = StatusCalls.send(HttpRequest.newBuilder(b.url().resolve("/services/ee2/status/calls/" + id))
                .DELETE(), "Authorization", "tok-bo");

        assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
        RawHttp.Response answered = waiting.get(0).read();
        assertThat(StatusCalls.json(answered).path("error").path("message").asText()).contains("you cancelled it");
        assertThat(sim.jobs().stream().filter(j -> j.user().equals("bo")).count()).isEqualTo(1);
        assertThat(audit.text()).contains("who=bo asked_at=" + b.admission().replicas().replica() + " action=cancel call=" + id);
    }

    @Test
    void eachReplicasViewsListTheOtherReplicasWaitingCalls() throws Exception {
        String id = oneWaitingAtA("cy");

        await("B's /waiting lists A's call", () -> StatusCalls.get(b.admin("/waiting")).body()
                .contains(id + "\tcy\t1/1"));
        String aId = a.admission().replicas().replica();
        assertThat(StatusCalls.get(b.admin("/waiting")).body()).contains("\t" + aId + "\n");
        JsonNode state = StatusCalls.json(StatusCalls.get(b.admin("/state.json")).body());
        assertThat(state.path("waitingElsewhere").toString()).contains(id).contains(aId);
        HttpResponse<String> own = StatusCalls.get(b.url().resolve("/services/ee2/status.json"), "Authorization", "tok-cy");
        assertThat(own.body()).contains(id).doesNotContain("adminReason");
        HttpResponse<String> stranger = StatusCalls.get(b.url().resolve("/services/ee2/status.json"), "Authorization",
                "tok-dan");
        assertThat(stranger.body()).doesNotContain(id);
    }

    @Test
    void aCapOverrideSentToAAppliesAtB() throws Exception {
        RawHttp.Response first = StatusCalls.run(a.url(), "tok-dan", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        assertThat(first.status()).as(first.bodyText()).isEqualTo(200);
        waiting.add(StatusCalls.start(b.url(), "tok-dan", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await("dan's second app waits at B", () -> waitingAt(b, "dan").size() == 1);

        HttpResponse<String> raised = post(a.admin("/users/dan/limits"),
                "{\"parentsMaxPerUser\": 2, \"for\": \"1h\", \"why\": \"deadline\"}");

        assertThat(raised.statusCode()).as(raised.body()).isEqualTo(200);
        RawHttp.Response admitted = waiting.get(0).read(); // B decided again with the raised cap
        assertThat(admitted.status()).as(admitted.bodyText()).isEqualTo(200);
        assertThat(b.admission().live().user("dan", true).slots().limitsSource()).startsWith("override until ");
        assertThat(audit.text().split("action=limits user=dan", -1)).as("audited once, by A").hasSize(2);

        try (Replica later = Replica.start(sim.url(), PolicyLoader.parse(OperatorPagesTest.POLICY, "test policy"),
                REDIS.server().uri())) {
            await("a replica started later applies the override kept in Redis", () -> later.admission().live()
                    .user("dan", true).slots().limitsSource().startsWith("override until "));
        }
    }
}
