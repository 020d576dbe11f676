package us.kbase.ee2proxy.identity;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import us.kbase.ee2proxy.identity.IdentityException.Reason;

/**
 * The two auth2 calls the proxy makes, over the JDK's async HTTP client. A 4xx means auth2 refused
 * the token; anything else that is not a readable 200 means auth2 is unavailable.
 */
final class Auth2Client {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** auth2's answer: the JSON body of a 200, or its refusal's message. */
    record Reply(JsonNode body, String refusal) {
        boolean refused() {
            return refusal != null;
        }
    }

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;
    private final Timer latency;
    private final Counter failures;

    Auth2Client(IdentitySettings settings, MetricRegistry metrics) {
        this.base = settings.auth2();
        this.timeout = settings.timeout();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
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
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(base.resolve(path))
                    .timeout(timeout)
                    .header("Authorization", token)
                    .header("Accept", "application/json")
                    .GET()
                    .build();
        } catch (IllegalArgumentException badHeader) {
            // A token that cannot even be sent as a header value is not a token.
            return CompletableFuture.completedFuture(new Reply(null, "Invalid token"));
        }
        Timer.Context timer = latency.time();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                // The client's timeout covers the headers; this also bounds a body that trickles.
                .orTimeout(timeout.toMillis() * 2, TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    timer.stop();
                    if (error != null) {
                        failures.inc();
                        throw new IdentityException(Reason.AUTH_UNAVAILABLE,
                                "The KBase auth service did not answer: " + describe(error), error);
                    }
                    return read(response);
                });
    }

    private Reply read(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (status == 200 && body != null && body.isObject()) {
            return new Reply(body, null);
        }
        if (status >= 400 && status < 500 && status != 429) {
            JsonNode message = body == null ? null : body.path("error").path("message");
            return new Reply(null, message != null && message.isTextual() ? message.asText() : "Invalid token");
        }
        failures.inc();
        throw new IdentityException(Reason.AUTH_UNAVAILABLE,
                "The KBase auth service answered HTTP " + status + " instead of a token's owner");
    }

    private static String describe(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }
}
