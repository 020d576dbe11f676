package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A KBase SDK client, asynchronous: POSTs a JSON-RPC 1.1 call with the raw token in
 * Authorization and waits up to 1800 s, the real clients' timeout (a proxy may hold a child's
 * run_job that long). An HTTP 500 with {@code application/json} becomes {@link Ee2CallError}
 * carrying EE2's error object, as the SDK's ServerError does.
 */
public final class Ee2Client {
    public static final Duration TIMEOUT = Duration.ofSeconds(1800);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    /** Exchanges still waiting for an answer (a proxy may hold one for many minutes). */
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

    public Ee2Client(Executor executor) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .executor(executor)
                .build();
    }

    /**
     * Calls {@code method} with positional {@code params}; completes with {@code result[0]} (null
     * for none). Cancelling the returned future abandons the exchange and closes its connection,
     * so a proxy holding the call sees the client go away.
     */
    public CompletableFuture<JsonNode> call(URI url, String token, String method, JsonNode... params) {
        ObjectNode body = JSON.createObjectNode();
        body.put("method", method);
        ArrayNode ps = body.putArray("params");
        for (JsonNode p : params) {
            ps.add(p);
        }
        body.put("version", "1.1");
        body.put("id", Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L)));
        HttpRequest.Builder req = HttpRequest.newBuilder(url)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
        if (token != null) {
            req.header("Authorization", token);
        }
        CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(req.build(),
                HttpResponse.BodyHandlers.ofByteArray());
        inFlight.add(sent);
        sent.whenComplete((r, e) -> inFlight.remove(sent));
        CompletableFuture<JsonNode> answer = sent.thenApply(res -> result(method, res));
        answer.whenComplete((r, e) -> {
            if (answer.isCancelled()) {
                sent.cancel(true);
            }
        });
        return answer;
    }

    /**
     * Abandons every exchange still waiting: a reset run's parents must not create jobs in the
     * next run when a held call is finally answered.
     */
    public void cancelAll() {
        for (CompletableFuture<?> f : inFlight) {
            f.cancel(true);
        }
    }

    private static JsonNode result(String method, HttpResponse<byte[]> res) {
        String type = res.headers().firstValue("content-type").orElse("");
        JsonNode body;
        try {
            body = res.body().length == 0 ? null : JSON.readTree(res.body());
        } catch (Exception e) {
            body = null;
        }
        if (res.statusCode() == 500 && "application/json".equals(type) && body != null && body.has("error")) {
            throw new Ee2CallError(method, body.get("error"));
        }
        if (res.statusCode() != 200 || body == null) {
            throw new Ee2CallError(method, res.statusCode());
        }
        JsonNode result = body.get("result");
        return result == null || result.isNull() || result.isEmpty() ? null : result.get(0);
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
