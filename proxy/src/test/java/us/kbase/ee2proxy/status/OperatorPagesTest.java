package us.kbase.ee2proxy.status;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.testing.AuditLog;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * The operator's views and actions on the admin port, end to end on real waiting calls (one
 * replica): one parallel app per user, more wait. Each test uses its own user.
 */
class OperatorPagesTest {
    static final String POLICY = """
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

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim.defaultSeconds(3600)
                    .token("tok-eve", "eve").token("tok-fox", "fox").token("tok-gus", "gus"))
            .admission(POLICY)
            .build();

    /** The same, with its admin port on every address: every request needs a token. */
    @RegisterExtension
    static final ProxyExtension exposed = ProxyExtension.withSimulator(sim -> sim.defaultSeconds(3600)
                    .token("tok-root", "root", "EE2_ADMIN").token("tok-ro", "reader", "EE2_ADMIN_RO")
                    .token("tok-joe", "joe"))
            .admission(POLICY)
            .config(c -> c.withAdmin(new HostPort("0.0.0.0", 0)))
            .build();

    private final List<RawHttp> waiting = new ArrayList<>();

    @RegisterExtension
    final AuditLog audit = new AuditLog();

    @AfterEach
    void leave() throws Exception {
        for (RawHttp call : waiting) {
            call.close();
        }
    }

    private static JsonNode state(ProxyExtension p, String... headers) {
        HttpResponse<String> r = StatusCalls.get(p.adminUrl("/state.json"), headers);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StatusCalls.json(r.body());
    }

    private static JsonNode user(String name) {
        for (JsonNode u : state(proxy).path("users")) {
            if (u.path("user").asText().equals(name)) {
                return u;
            }
        }
        return null;
    }

    private static HttpResponse<String> post(ProxyExtension p, String path, String body, String... headers) {
        return StatusCalls.send(HttpRequest.newBuilder(p.adminUrl(path)).POST(HttpRequest.BodyPublishers.ofString(body)),
                headers);
    }

    /** The user's first parallel app runs; two more wait. Returns the waiting calls' ids in queue order. */
    private List<String> twoWaiting(String user) throws Exception {
        RawHttp.Response first = StatusCalls.run(proxy.url(), "tok-" + user,
                StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        assertThat(first.status()).as(first.bodyText()).isEqualTo(200);
        waiting.add(StatusCalls.start(proxy.url(), "tok-" + user, StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await("the first call waits", () -> user(user) != null && user(user).path("waiting").size() == 1);
        waiting.add(StatusCalls.start(proxy.url(), "tok-" + user, StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await("two calls wait", () -> user(user).path("waiting").size() == 2);
        JsonNode calls = user(user).path("waiting");
        return List.of(calls.get(0).path("id").asText(), calls.get(1).path("id").asText());
    }

    @Test
    void theViewsShowEveryUsersWaitingCallsAndTheGlobalFigures() throws Exception {
        List<String> ids = twoWaiting("eve");

        JsonNode all = state(proxy);
        assertThat(all.path("global").path("usersAtCap").toString()).contains("\"eve\"");
        assertThat(all.path("global").path("waiting").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(all.path("global").path("waitingByKind").path("parallel app").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(all.path("global").path("ledger").asText()).contains("in-memory");
        assertThat(all.path("global").path("decisionsLastMinute").asLong()).isPositive();
        JsonNode eve = user("eve");
        assertThat(eve.path("waiting").get(0).path("adminReason").asText()).contains("P(u)=1");
        assertThat(eve.path("parallelApps").size()).isEqualTo(1);

        HttpResponse<String> dump = StatusCalls.get(proxy.adminUrl("/waiting"));
        assertThat(dump.body()).startsWith("id\tuser\tposition").contains(ids.get(0) + "\teve\t1/2")
                .contains(ids.get(1) + "\teve\t2/2");
        HttpResponse<String> console = StatusCalls.get(proxy.adminUrl("/console"));
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).contains("console").contains(ids.get(1)).doesNotContain("INITIAL_STATE");
    }

    @Test
    void frontReleaseAndRefuseActOnTheRealWaitingCallsAndAreAudited() throws Exception {
        List<String> ids = twoWaiting("fox");
        long before = proxy.registry().counter("ee2proxy.status.actions.release").getCount();

        assertThat(post(proxy, "/calls/" + ids.get(1) + "/front", "{}").statusCode()).isEqualTo(400); // no why
        HttpResponse<String> front = post(proxy, "/calls/" + ids.get(1) + "/front", "{\"why\": \"urgent demo\"}");
        assertThat(front.statusCode()).as(front.body()).isEqualTo(200);
        assertThat(user("fox").path("waiting").get(0).path("id").asText()).isEqualTo(ids.get(1));

        HttpResponse<String> released = post(proxy, "/calls/" + ids.get(1) + "/release", "{\"why\": \"ticket 42\"}");
        assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
        RawHttp.Response admitted = waiting.get(1).read();
        assertThat(admitted.status()).as(admitted.bodyText()).isEqualTo(200);
        assertThat(admitted.header("X-Ee2-Proxy-Decision")).startsWith("admitted after waiting").endsWith("class=parent");
        assertThat(proxy.admission().ledger().counts("fox").toCompletableFuture().join().parents()).isEqualTo(2);

        HttpResponse<String> refused = post(proxy, "/calls/" + ids.get(0) + "/refuse",
                "{\"why\": \"runaway\", \"message\": \"please split your analysis\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(200);
        RawHttp.Response answered = waiting.get(0).read();
        assertThat(answered.status()).isEqualTo(500);
        assertThat(StatusCalls.json(answered).path("error").path("message").asText())
                .contains("please split your analysis").contains("not submitted");
        await("nothing of fox waits", () -> user("fox").path("waiting").size() == 0);

        assertThat(post(proxy, "/calls/" + ids.get(0) + "/release", "{\"why\": \"late\"}").statusCode()).isEqualTo(404);
        assertThat(proxy.registry().counter("ee2proxy.status.actions.release").getCount() - before).isEqualTo(2);
        assertThat(audit.text())
                .contains("who=loopback operator action=front call=" + ids.get(1) + " owner=fox done=true why=\"urgent demo\"")
                .contains("action=release call=" + ids.get(1) + " owner=fox done=true why=\"ticket 42\"")
                .contains("action=refuse call=" + ids.get(0) + " owner=fox done=true why=\"runaway\"");
    }

    @Test
    void onAnExposedAdminPortViewsNeedAnAdminRoleAndActionsEe2Admin() {
        String[] none = {};
        assertThat(StatusCalls.get(exposed.adminUrl("/state.json"), none).statusCode()).isEqualTo(401);
        assertThat(StatusCalls.get(exposed.adminUrl("/state.json"), "Authorization", "tok-joe").statusCode()).isEqualTo(403);
        assertThat(StatusCalls.get(exposed.adminUrl("/state.json"), "Authorization", "tok-ro").statusCode()).isEqualTo(200);
        String act = "/calls/nosuchcall/release";
        String why = "{\"why\": \"test\"}";
        assertThat(post(exposed, act, why).statusCode()).isEqualTo(401);
        assertThat(post(exposed, act, why, "Authorization", "tok-joe").statusCode()).isEqualTo(403);
        assertThat(post(exposed, act, why, "Authorization", "tok-ro").statusCode()).isEqualTo(403);
        assertThat(post(exposed, act, why, "Authorization", "tok-root").statusCode()).isEqualTo(404); // allowed; no such call
        assertThat(audit.text()).contains("who=root action=release call=nosuchcall");
    }

    @Test
    void aScientistsTokenOnTheMainPortNeverReachesTheOperatorsViews() {
        HttpResponse<String> r = StatusCalls.get(proxy.url().resolve("/state.json"), "Authorization", "tok-gus");
        assertThat(r.statusCode()).isNotEqualTo(200);
        assertThat(r.body()).doesNotContain("\"users\"");
        URI console = proxy.url().resolve("/console");
        assertThat(StatusCalls.get(console, "Authorization", "tok-gus").body()).doesNotContain("<html");
    }
}
