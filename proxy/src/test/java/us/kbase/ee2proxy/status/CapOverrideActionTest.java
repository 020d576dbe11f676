package us.kbase.ee2proxy.status;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
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
 * An operator's temporary override of one user's parallel-app cap, end to end on real waiting
 * calls: {@code POST|DELETE /users/NAME/limits} on the admin port. One parallel app per user by
 * the file; each test uses its own user.
 */
class CapOverrideActionTest {
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim.defaultSeconds(3600)
                    .token("tok-ivy", "ivy").token("tok-jay", "jay").token("tok-kay", "kay"))
            .admission(OperatorPagesTest.POLICY)
            .build();

    @RegisterExtension
    static final ProxyExtension exposed = ProxyExtension.withSimulator(sim -> sim.defaultSeconds(3600)
                    .token("tok-root", "root", "EE2_ADMIN").token("tok-ro", "reader", "EE2_ADMIN_RO")
                    .token("tok-joe", "joe"))
            .admission(OperatorPagesTest.POLICY)
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

    private static JsonNode user(String name) {
        HttpResponse<String> r = StatusCalls.get(proxy.adminUrl("/state.json"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (JsonNode u : StatusCalls.json(r.body()).path("users")) {
            if (u.path("user").asText().equals(name)) {
                return u;
            }
        }
        return null;
    }

    private static String limitsOf(String name) {
        JsonNode u = user(name);
        return u == null ? null : u.path("slots").path("limitsSource").asText();
    }

    private static HttpResponse<String> limits(ProxyExtension p, String method, String user, String body, String... headers) {
        return StatusCalls.send(HttpRequest.newBuilder(p.adminUrl("/users/" + user + "/limits"))
                .method(method, HttpRequest.BodyPublishers.ofString(body)), headers);
    }

    /** The user's first parallel app runs; the next one waits at the proxy (cap 1). */
    private void oneRunningOneWaiting(String user) throws Exception {
        RawHttp.Response first = StatusCalls.run(proxy.url(), "tok-" + user,
                StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        assertThat(first.status()).as(first.bodyText()).isEqualTo(200);
        waiting.add(StatusCalls.start(proxy.url(), "tok-" + user, StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await(user + "'s second parallel app waits", () -> user(user) != null && user(user).path("waiting").size() == 1);
    }

    @Test
    void raisingTheCapLetsTheWaitingParallelAppInAtOnceAndIsShownAndAudited() throws Exception {
        oneRunningOneWaiting("ivy");
        long before = proxy.registry().counter("ee2proxy.status.actions.limits").getCount();

        assertThat(limits(proxy, "POST", "ivy", "{\"parentsMaxPerUser\": 2, \"for\": \"1h\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> tooHigh = limits(proxy, "POST", "ivy", "{\"parentsMaxPerUser\": 3, \"for\": \"1h\", \"why\": \"x\"}");
        assertThat(tooHigh.statusCode()).isEqualTo(400); // slots 4, depth 1: at most 2
        assertThat(tooHigh.body()).contains("between 1 and 2");
        assertThat(limits(proxy, "POST", "ivy", "{\"parentsMaxPerUser\": 2, \"why\": \"x\"}").statusCode()).isEqualTo(400);
        assertThat(limits(proxy, "POST", "ivy", "{\"parentsMaxPerUser\": 2, \"until\": \"2001-01-01T00:00:00Z\", \"why\": \"x\"}")
                .statusCode()).isEqualTo(400);
        assertThat(limitsOf("ivy")).isEqualTo("defaults"); // nothing refused took effect
        assertThat(user("ivy").path("waiting").size()).isEqualTo(1);

        HttpResponse<String> raised = limits(proxy, "POST", "ivy",
                "{\"parentsMaxPerUser\": 2, \"for\": \"1h\", \"why\": \"grant deadline\"}");
        assertThat(raised.statusCode()).as(raised.body()).isEqualTo(200);
        RawHttp.Response admitted = waiting.get(0).read();
        assertThat(admitted.status()).as(admitted.bodyText()).isEqualTo(200);
        assertThat(admitted.header("X-Ee2-Proxy-Decision")).startsWith("admitted after waiting");
        assertThat(proxy.admission().ledger().counts("ivy").toCompletableFuture().join().parents()).isEqualTo(2);

        JsonNode ivy = user("ivy");
        assertThat(ivy.path("slots").path("parallelAppCap").asInt()).isEqualTo(2);
        assertThat(ivy.path("slots").path("limitsSource").asText()).startsWith("override until ")
                .endsWith(" by loopback operator: grant deadline");
        assertThat(StatusCalls.get(proxy.adminUrl("/console")).body()).contains("by loopback operator: grant deadline")
                .contains("slots (limits: ");

        // Ended early: the file's cap again for new decisions; the two running apps stay.
        assertThat(limits(proxy, "DELETE", "ivy", "{\"why\": \"done\"}").statusCode()).isEqualTo(200);
        assertThat(limitsOf("ivy")).isEqualTo("defaults");
        assertThat(limits(proxy, "DELETE", "ivy", "{\"why\": \"again\"}").statusCode()).isEqualTo(404);
        waiting.add(StatusCalls.start(proxy.url(), "tok-ivy", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await("a new parallel app of ivy waits", () -> user("ivy").path("waiting").size() == 1);
        assertThat(proxy.admission().ledger().counts("ivy").toCompletableFuture().join().parents()).isEqualTo(2);

        assertThat(proxy.registry().counter("ee2proxy.status.actions.limits").getCount() - before).isEqualTo(1);
        assertThat(proxy.registry().counter("ee2proxy.status.actions.limits_end").getCount()).isGreaterThanOrEqualTo(2);
        assertThat(audit.text())
                .contains("who=loopback operator action=limits user=ivy parents.maxPerUser=2 until=")
                .contains("done=true why=\"grant deadline\"")
                .contains("action=limits_end user=ivy ended done=true why=\"done\"")
                .contains("action=limits_end user=ivy ended done=false why=\"again\"");
    }

    @Test
    void anOverrideEndsByItselfAndNewDecisionsUseTheFilesCapAgain() throws Exception {
        RawHttp.Response first = StatusCalls.run(proxy.url(), "tok-jay", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        assertThat(first.status()).as(first.bodyText()).isEqualTo(200);
        HttpResponse<String> raised = limits(proxy, "POST", "jay",
                "{\"parentsMaxPerUser\": 2, \"for\": \"2s\", \"why\": \"short\"}");
        assertThat(raised.statusCode()).as(raised.body()).isEqualTo(200);
        assertThat(StatusCalls.json(raised.body()).path("until").asText()).endsWith("Z");

        await("jay's override ends by itself", () -> "defaults".equals(limitsOf("jay")));
        assertThat(user("jay").path("slots").path("parallelAppCap").asInt()).isEqualTo(1);
        waiting.add(StatusCalls.start(proxy.url(), "tok-jay", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await("jay's second parallel app waits", () -> user("jay").path("waiting").size() == 1);
        assertThat(proxy.admission().ledger().counts("jay").toCompletableFuture().join().parents()).isEqualTo(1);
    }

    @Test
    void whenAnOverrideEndsTheUsersWaitingCallsAreDecidedAgainWithTheFilesCap() throws Exception {
        assertThat(limits(proxy, "POST", "kay", "{\"parentsMaxPerUser\": 2, \"for\": \"1h\", \"why\": \"two\"}")
                .statusCode()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            RawHttp.Response r = StatusCalls.run(proxy.url(), "tok-kay", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
            assertThat(r.header("X-Ee2-Proxy-Decision")).as(r.bodyText()).startsWith("admitted");
        }
        waiting.add(StatusCalls.start(proxy.url(), "tok-kay", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await("kay's third parallel app waits under her cap of 2", () -> user("kay") != null
                && user("kay").path("waiting").size() == 1
                && user("kay").path("waiting").get(0).path("adminReason").asText().contains("C_0=2"));

        // Replaced by one that ends in a second: at its end the waiting call is decided with the file's cap.
        assertThat(limits(proxy, "POST", "kay", "{\"parentsMaxPerUser\": 2, \"for\": \"1s\", \"why\": \"soon over\"}")
                .statusCode()).isEqualTo(200);
        await("kay's waiting app is decided again with C_0=1", () -> user("kay").path("waiting").size() == 1
                && user("kay").path("waiting").get(0).path("adminReason").asText().contains("C_0=1"));
        assertThat(limitsOf("kay")).isEqualTo("defaults");
        assertThat(proxy.admission().ledger().counts("kay").toCompletableFuture().join().parents()).isEqualTo(2);
    }

    @Test
    void onAnExposedAdminPortOnlyEe2AdminMayOverride() {
        String body = "{\"parentsMaxPerUser\": 2, \"for\": \"1h\", \"why\": \"test\"}";
        assertThat(limits(exposed, "POST", "kim", body).statusCode()).isEqualTo(401);
        assertThat(limits(exposed, "POST", "kim", body, "Authorization", "tok-joe").statusCode()).isEqualTo(403);
        assertThat(limits(exposed, "POST", "kim", body, "Authorization", "tok-ro").statusCode()).isEqualTo(403);
        assertThat(limits(exposed, "DELETE", "kim", "{\"why\": \"x\"}", "Authorization", "tok-ro").statusCode()).isEqualTo(403);
        assertThat(audit.text()).doesNotContain("user=kim");
        HttpResponse<String> ok = limits(exposed, "POST", "kim", body, "Authorization", "tok-root");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(audit.text()).contains("who=root action=limits user=kim parents.maxPerUser=2");
        assertThat(limits(exposed, "GET", "kim", "", "Authorization", "tok-root").statusCode()).isEqualTo(405);
    }
}
