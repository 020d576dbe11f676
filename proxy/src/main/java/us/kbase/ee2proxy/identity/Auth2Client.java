package us.kbase.ee2proxy.identity;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import us.kbase.ee2proxy.config.UpstreamConfig;
import us.kbase.ee2proxy.identity.IdentityException.Reason;
import us.kbase.ee2proxy.upstream.ServiceHttpClient;

/**
 * The two auth2 calls the proxy makes, on pooled keep-alive connections. Only auth2's own
 * invalid-token answer (HTTP 401 with its error object, appcode 10020) means the token is
 * invalid; anything else that is not a readable 200 (a 404 from a wrong URL or a gateway, a 400,
 * 403 or 405, a 5xx, no answer) means the token could not be verified. The difference matters:
 * a call with an invalid token is forwarded uncounted (EE2 refuses it too), while EE2, which
 * caches tokens, may still accept one auth2 did not answer for.
 */
final class Auth2Client {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** auth2's invalid-token error ({@code ErrorType.INVALID_TOKEN}). */
    static final int INVALID_TOKEN_APPCODE = 10020;

    /** auth2's answer: the JSON body of a 200, or its invalid-token refusal's message. */
    record Reply(JsonNode body, String refusal) {
        boolean refused() {
            return refusal != null;
        }
    }

    /** Concurrent lookups beyond this wait for a connection (within the timeout). */
    private static final int MAX_CONNECTIONS = 16;
    /** auth2 answers are a small JSON object; anything this big is not one. */
    private static final int MAX_ANSWER_BYTES = 1 << 20;
    /** Below common servers' keep-alive timeouts, so the proxy closes an idle connection first. */
    private static final Duration IDLE_CLOSE = Duration.ofSeconds(1);

    private final ServiceHttpClient http;
    private final Timer latency;
    private final Counter failures;

    Auth2Client(IdentitySettings settings, MetricRegistry metrics) {
        this.http = new ServiceHttpClient(new UpstreamConfig(settings.auth2(), null, true, MAX_CONNECTIONS, IDLE_CLOSE),
                settings.timeout(), MAX_ANSWER_BYTES);
        this.latency = metrics.timer("identity.auth2.requests");
        this.failures = metrics.counter("identity.auth2.failures");
    }

    /** GET {@code api/V2/token}: who owns the token, and for how long auth2 lets us believe it. */
    CompletableFuture<Reply> token(String token) {
        return get("api/V2/token", token);
    }

    /** GET {@code api/V2/me}: the token owner's profile, {@code customroles} included. */
    CompletableFuture<Reply> me(String token) {
        return get("api/V2/me", token);
    }

    private CompletableFuture<Reply> get(String path, String token) {
        CompletableFuture<ServiceHttpClient.Answer> sent;
        try {
            sent = http.send(HttpMethod.GET, http.target(path),
                    Map.of("Authorization", token, "Accept", "application/json"), new byte[0]);
        } catch (IllegalArgumentException badHeader) {
            // auth2 never saw it, so it said nothing; EE2, which reads the token its own way, decides.
            return CompletableFuture.failedFuture(new IdentityException(Reason.AUTH_UNAVAILABLE,
                    "the token cannot be sent to the KBase auth service (it holds characters an HTTP header cannot carry)"));
        }
        Timer.Context timer = latency.time();
        return sent.handle((answer, error) -> {
            timer.stop();
            if (error != null) {
                failures.inc();
                throw new IdentityException(Reason.AUTH_UNAVAILABLE,
                        "The KBase auth service did not answer: " + describe(error), error);
            }
            return read(answer);
        });
    }

    private Reply read(ServiceHttpClient.Answer answer) {
        int status = answer.status();
        JsonNode body;
        try {
            body = JSON.readTree(answer.body());
        } catch (IOException e) {
            body = null;
        }
        if (status == 200 && body != null && body.isObject()) {
            return new Reply(body, null);
        }
        JsonNode error = body == null ? null : body.path("error");
        if (status == 401 && error != null && error.path("appcode").asInt() == INVALID_TOKEN_APPCODE) {
            JsonNode message = error.path("message");
            return new Reply(null, message.isTextual() ? message.asText() : "10020 Invalid token");
        }
        failures.inc();
        JsonNode message = error == null ? null : error.path("message");
        throw new IdentityException(Reason.AUTH_UNAVAILABLE, "The KBase auth service answered HTTP " + status
                + (message != null && message.isTextual() ? " (" + message.asText() + ")" : "")
                + " instead of a token's owner");
    }

    private static String describe(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }
}
