package us.kbase.ee2proxy.sim.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A proxy-like stand-in in front of a simulator: it forwards every call, except that a
 * {@link Rule} may keep a call waiting first, or answer it itself with an error (EE2's error
 * object, a bare HTTP error, or a connection closed without an answer). It records every call it
 * saw, with when it arrived and when it was answered, so a test can check what a parallel app sent
 * and in what order.
 */
final class StubProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the stub does with one call. */
    sealed interface Action {}

    record Forward(long holdMillis) implements Action {}

    /** HTTP 500 with EE2's error object and {@code message}, as the admission proxy refuses. */
    record RefuseWithEe2Error(String message) implements Action {}

    /** A bare HTTP error (no JSON): the KBase client raises it without a message. */
    record RefuseWithStatus(int status) implements Action {}

    /** A response that promises a body and stops short: a transport failure for the client. */
    record CloseConnection() implements Action {}

    static final Action FORWARD = new Forward(0);

    /** Decides per call; {@code index} counts the child run_jobs (the calls with {@code remote_url} or {@code parent_job_id}). */
    interface Rule {
        Action decide(Call call, int childIndex);
    }

    /** One call: method, params[0], Authorization header, arrival and answer times (epoch millis). */
    record Call(String method, JsonNode params, String token, long arrived, long[] answered) {
        boolean isChildRunJob() {
            return method.equals("execution_engine2.run_job") && params != null
                    && (params.has("remote_url") || params.has("parent_job_id"));
        }

        long answeredAt() {
            return answered[0];
        }
    }

    private final URI upstream;
    private final Rule rule;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    private int children;

    StubProxy(URI upstream, Rule rule) throws IOException {
        this.upstream = upstream;
        this.rule = rule;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/services/ee2");
    }

    List<Call> childRunJobs() {
        return calls.stream().filter(Call::isChildRunJob).toList();
    }

    List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        JsonNode req;
        try {
            req = JSON.readTree(body);
        } catch (IOException e) {
            req = JSON.createObjectNode();
        }
        Call call = new Call(req.path("method").asText(), req.path("params").path(0),
                ex.getRequestHeaders().getFirst("Authorization"), System.currentTimeMillis(), new long[1]);
        calls.add(call);
        Action action;
        synchronized (this) {
            action = call.isChildRunJob() ? rule.decide(call, children++) : FORWARD;
        }
        try {
            if (action instanceof Forward f) {
                forward(ex, body, f.holdMillis());
            } else if (action instanceof RefuseWithEe2Error r) {
                ObjectNode error = JSON.createObjectNode();
                error.putObject("error").put("code", -32000).put("name", "Server error").put("message", r.message())
                        .putNull("error");
                error.put("id", req.path("id").asText()).put("version", "1.1");
                answer(ex, 500, "application/json", JSON.writeValueAsBytes(error));
            } else if (action instanceof RefuseWithStatus s) {
                answer(ex, s.status(), "text/html",
                        "<html><body>Service Unavailable</body></html>".getBytes(StandardCharsets.UTF_8));
            } else {
                // Promises 1000 bytes and sends 5: closing the exchange then drops the connection.
                ex.sendResponseHeaders(200, 1000);
                OutputStream out = ex.getResponseBody();
                out.write("{\"ver".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            call.answered()[0] = System.currentTimeMillis();
            ex.close(); // after CloseConnection's short answer this drops the connection
        }
    }

    private void forward(HttpExchange ex, byte[] body, long holdMillis) throws IOException, InterruptedException {
        if (holdMillis > 0) {
            Thread.sleep(holdMillis);
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(upstream.resolve("/"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            req.header("Authorization", auth);
        }
        HttpResponse<byte[]> res = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        answer(ex, res.statusCode(), res.headers().firstValue("content-type").orElse(""), res.body());
    }

    private static void answer(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("content-type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }

    /** Rules by child index. */
    static Rule byIndex(Function<Integer, Action> f) {
        return (call, i) -> f.apply(i);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
