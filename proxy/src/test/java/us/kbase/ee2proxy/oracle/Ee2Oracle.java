package us.kbase.ee2proxy.oracle;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The EE2 oracle ({@code ee2oracle/ee2_oracle.py} in the test resources) as a JUnit 5 extension:
 * started with the machine's {@code python3} (or {@code -Dee2proxy.python=PATH}) on a free
 * loopback port before the class, stopped after it. It answers EE2's JSON-RPC and auth2's token
 * endpoints from the tokens given here, and keeps a record of what it did that {@link #events}
 * reads.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final Ee2Oracle ORACLE = Ee2Oracle.builder().token("tok-alice", "alice").build();
 * }</pre>
 */
final class Ee2Oracle implements BeforeAllCallback, AfterAllCallback {
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final String SCRIPT = "ee2oracle/ee2_oracle.py";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, ObjectNode> tokens;
    private Process process;
    private Path dir;
    private URI url;
    private final Deque<String> output = new ArrayDeque<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int cursor;

    private Ee2Oracle(Map<String, ObjectNode> tokens) {
        this.tokens = tokens;
    }

    static Builder builder() {
        return new Builder();
    }

    /** The tokens EE2 (and auth2) know. */
    static final class Builder {
        private final Map<String, ObjectNode> tokens = new LinkedHashMap<>();

        Builder token(String token, String user, String... roles) {
            ObjectNode t = JSON.createObjectNode().put("user", user);
            ArrayNode r = t.putArray("roles");
            for (String role : roles) {
                r.add(role);
            }
            tokens.put(token, t);
            return this;
        }

        /**
         * A token EE2 knows, for which auth2's V2 endpoints (the proxy's view) answer
         * {@code status} instead (a misrouted or failing auth2).
         */
        Builder brokenForProxy(String token, String user, int status) {
            token(token, user);
            tokens.get(token).put("v2status", status);
            return this;
        }

        Ee2Oracle build() {
            return new Ee2Oracle(tokens);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    void start() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("ee2-oracle");
        Path script = dir.resolve("ee2_oracle.py");
        try (InputStream in = Ee2Oracle.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is not on the test class path");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path tokenFile = dir.resolve("tokens.json");
        ObjectNode file = JSON.createObjectNode();
        ObjectNode t = file.putObject("tokens");
        tokens.forEach(t::set);
        JSON.writeValue(tokenFile.toFile(), file);
        String python = System.getProperty("ee2proxy.python", "python3");
        try {
            process = new ProcessBuilder(python, "-u", script.toString(), "--tokens", tokenFile.toString(), "--port", "0")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("the EE2 oracle needs Python 3 (`" + python + "` could not be started: "
                    + e.getMessage() + "); install python3 or pass -Dee2proxy.python=/path/to/python3", e);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("ee2-oracle listening on ")) {
                        first.complete(line.substring("ee2-oracle listening on ".length()).trim());
                    }
                    synchronized (output) {
                        output.addLast(line);
                        if (output.size() > 200) {
                            output.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            first.complete(null);
        }, "ee2-oracle-output");
        reader.setDaemon(true);
        reader.start();
        String listening;
        try {
            listening = first.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            listening = null;
        }
        if (listening == null) {
            stop();
            throw new IllegalStateException("the EE2 oracle did not start; its output:\n" + output());
        }
        url = URI.create(listening);
    }

    void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a temp directory left behind
            }
        }
    }

    /** The oracle's URL: EE2 on any path, auth2 under {@code /api/}. */
    URI url() {
        return url;
    }

    /** What the oracle printed (errors of the script itself), for failure messages. */
    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** The record's entries since the last call: calls handled, jobs created and ended. */
    List<JsonNode> events() {
        JsonNode r = get("/oracle/record?since=" + cursor);
        cursor = r.path("next").asInt();
        List<JsonNode> events = new ArrayList<>();
        r.path("events").forEach(events::add);
        return events;
    }

    /** The next {@code count} calls of {@code rpc} are answered HTTP 503 without being run. */
    void failNext(String rpc, int count) {
        ObjectNode order = JSON.createObjectNode();
        order.putObject("fail_next").put("rpc", rpc).put("count", count);
        post("/oracle/control", order);
    }

    /** Drops failures {@link #failNext} ordered that no call has used yet. */
    void clearFailures() {
        post("/oracle/control", JSON.createObjectNode().put("clear", true));
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(20)).GET().build());
    }

    private JsonNode post(String path, JsonNode body) {
        try {
            return send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("the EE2 oracle answered " + request.uri() + " with HTTP " + r.statusCode()
                        + "; its output:\n" + output());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("the EE2 oracle did not answer " + request.uri() + "; its output:\n" + output(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
