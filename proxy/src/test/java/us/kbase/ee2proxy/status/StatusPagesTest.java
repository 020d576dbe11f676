package us.kbase.ee2proxy.status;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * The scientist's status view on the main port, over real sockets, with the simulator's auth2
 * tokens: one parallel app per user, more wait at the proxy. Each test uses its own users.
 */
class StatusPagesTest {
    static final URI STATUS_URL = URI.create("https://kbase.example/services/ee2/status");

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim.defaultSeconds(3600)
                    .token("tok-amy", "amy").token("tok-bob", "bob").token("tok-cy", "cy").token("tok-dee", "dee"))
            .admission(OperatorPagesTest.POLICY)
            .config(c -> c.withStatusUrl(STATUS_URL))
            .build();

    private final List<RawHttp> waiting = new ArrayList<>();

    @AfterEach
    void leave() throws Exception {
        for (RawHttp call : waiting) {
            call.close();
        }
    }

    private URI page(String path) {
        return proxy.url().resolve(path);
    }

    private JsonNode status(String token) {
        HttpResponse<String> r = StatusCalls.get(page("/services/ee2/status.json"), "Authorization", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StatusCalls.json(r.body());
    }

    /** A second and third parallel app of {@code token}'s user wait behind the first. */
    private String twoWaiting(String token) throws Exception {
        RawHttp.Response first = StatusCalls.run(proxy.url(), token, StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        assertThat(first.status()).as(first.bodyText()).isEqualTo(200);
        assertThat(first.header("X-Ee2-Proxy-Decision")).isEqualTo("admitted; class=parent");
        String parent = StatusCalls.json(first).path("result").path(0).asText();
        // One after the other, so that the queue's order (oldest first) is the order they were sent in.
        waiting.add(StatusCalls.start(proxy.url(), token, StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await("one call waits", () -> status(token).path("waiting").size() == 1);
        waiting.add(StatusCalls.start(proxy.url(), token, StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of())));
        await("two calls wait", () -> status(token).path("waiting").size() == 2);
        return parent;
    }

    @Test
    void aUserSeesTheirOwnWaitingCallsWithPositionsReasonsAndParallelApps() throws Exception {
        String parent = twoWaiting("tok-amy");

        JsonNode amy = status("tok-amy");
        assertThat(amy.path("user").asText()).isEqualTo("amy");
        JsonNode calls = amy.path("waiting");
        assertThat(calls.get(0).path("position").asInt()).isEqualTo(1);
        assertThat(calls.get(1).path("position").asInt()).isEqualTo(2);
        assertThat(calls.get(0).path("of").asInt()).isEqualTo(2);
        assertThat(calls.get(0).path("kind").asText()).isEqualTo("parallel app");
        assertThat(calls.get(0).path("app").asText()).isEqualTo("kb_Bowtie2");
        assertThat(calls.get(0).path("reason").asText()).contains("parallel app").endsWith("See " + STATUS_URL);
        assertThat(calls.get(0).path("maxWaitSeconds").asLong()).isBetween(590L, 610L);
        assertThat(calls.get(0).path("atEnd").asText()).contains("not submitted");
        assertThat(calls.get(0).has("adminReason")).isFalse();
        assertThat(amy.path("parallelApps").get(0).path("jobId").asText()).isEqualTo(parent);
        assertThat(amy.path("slots").path("parallelAppCap").asInt()).isEqualTo(1);
        assertThat(amy.path("slots").path("parallelApps").asInt()).isEqualTo(1);
        assertThat(amy.path("recent").get(0).path("outcome").asText()).isEqualTo("waiting");

        HttpResponse<String> html = StatusCalls.get(page("/services/ee2/status"), "Cookie", "kbase_session=tok-amy");
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("content-type").orElse("")).startsWith("text/html");
        assertThat(html.body()).contains("Waiting at the proxy").contains(calls.get(0).path("id").asText())
                .doesNotContain("INITIAL_STATE");
    }

    @Test
    void anotherUsersTokenSeesNoneOfIt() throws Exception {
        twoWaiting("tok-bob");

        JsonNode cy = status("tok-cy");
        assertThat(cy.path("user").asText()).isEqualTo("cy");
        assertThat(cy.path("waiting").size()).isZero();
        assertThat(cy.path("parallelApps").size()).isZero();
        assertThat(cy.toString()).doesNotContain("bob");
    }

    @Test
    void noTokenOrABadOneIs401Ee2Shaped() {
        for (HttpResponse<String> r : List.of(StatusCalls.get(page("/status.json")),
                StatusCalls.get(page("/status")),
                StatusCalls.get(page("/status.json"), "Authorization", "not-a-token"),
                StatusCalls.get(page("/status.json"), "Cookie", "kbase_session=not-a-token"))) {
            assertThat(r.statusCode()).isEqualTo(401);
            JsonNode body = StatusCalls.json(r.body());
            assertThat(body.path("error").path("code").asInt()).isEqualTo(-32000);
            assertThat(body.path("error").path("message").asText()).isNotBlank();
            assertThat(body.path("version").asText()).isEqualTo("1.1");
        }
    }

    @Test
    void aPostToTheStatusPathsStillGoesToEe2() {
        long before = proxy.simulator().calls("execution_engine2.ver");
        for (String path : List.of("/status", "/status.json", "/services/ee2/status")) {
            HttpResponse<String> r = StatusCalls.send(HttpRequest.newBuilder(page(path)).POST(HttpRequest.BodyPublishers
                    .ofString("{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"1\"}")),
                    "Authorization", "tok-amy");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(StatusCalls.json(r.body()).path("result").isArray()).isTrue();
        }
        assertThat(proxy.simulator().calls("execution_engine2.ver") - before).isEqualTo(3);
    }

    @Test
    void theOwnerCancelsTheirWaitingCallAndNobodyElseCan() throws Exception {
        twoWaiting("tok-dee");
        String id = status("tok-dee").path("waiting").get(1).path("id").asText();
        URI call = page("/services/ee2/status/calls/" + id);

        assertThat(StatusCalls.send(HttpRequest.newBuilder(call).DELETE(), "Authorization", "tok-cy").statusCode())
                .isEqualTo(404);
        assertThat(StatusCalls.send(HttpRequest.newBuilder(call).DELETE()).statusCode()).isEqualTo(401);
        HttpResponse<String> cancelled = StatusCalls.send(HttpRequest.newBuilder(call).DELETE(), "Authorization", "tok-dee");
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);

        RawHttp.Response answered = waiting.get(1).read();
        assertThat(answered.status()).isEqualTo(500);
        assertThat(answered.header("X-Ee2-Proxy-Decision")).isEqualTo("refused; class=parent");
        assertThat(StatusCalls.json(answered).path("error").path("message").asText())
                .contains("you cancelled it").contains("not submitted").endsWith("See " + STATUS_URL);
        JsonNode dee = status("tok-dee");
        assertThat(dee.path("waiting").size()).isEqualTo(1);
        assertThat(dee.path("waiting").get(0).path("id").asText()).isNotEqualTo(id);
        assertThat(new String(answered.body(), StandardCharsets.UTF_8)).doesNotContain("tok-dee");
    }
}
