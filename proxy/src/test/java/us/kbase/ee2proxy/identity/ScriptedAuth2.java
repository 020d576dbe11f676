package us.kbase.ee2proxy.identity;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An auth2 stand-in on a real socket whose answers a test scripts per token: auth2's token reply
 * with chosen {@code cachefor}/{@code expires}, its 401 shape, a 5xx, a delay, or a gate that holds
 * every reply until opened. Counts the requests it got per token.
 */
final class ScriptedAuth2 implements AutoCloseable {
    record Answer(int status, String body, long delayMillis) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    ScriptedAuth2() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/api/V2/token", this::answer);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    void owner(String token, String user, long cacheForMillis, long expiresAtMillis) {
        answers.put(token, new Answer(200, """
                {"type":"Login","id":"%s","expires":%d,"created":%d,"name":null,"user":"%s","custom":{},"cachefor":%d}"""
                .formatted(Integer.toHexString(token.hashCode()), expiresAtMillis, System.currentTimeMillis(), user,
                        cacheForMillis), 0));
    }

    void invalid(String token) {
        answers.put(token, new Answer(401, """
                {"error":{"httpcode":401,"httpstatus":"Unauthorized","appcode":10020,"apperror":"Invalid token",\
                "message":"10020 Invalid token","callid":"1234","time":%d}}""".formatted(System.currentTimeMillis()), 0));
    }

    void answer(String token, Answer answer) {
        answers.put(token, answer);
    }

    /** Holds every reply until {@link #open()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void open() {
        gate.countDown();
    }

    int requests(String token) {
        AtomicInteger n = requests.get(token);
        return n == null ? 0 : n.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String token = exchange.getRequestHeaders().getFirst("Authorization");
        requests.computeIfAbsent(String.valueOf(token), t -> new AtomicInteger()).incrementAndGet();
        Answer answer = answers.getOrDefault(String.valueOf(token), new Answer(500, "{}", 0));
        try {
            gate.await(30, TimeUnit.SECONDS);
            Thread.sleep(answer.delayMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        open();
        server.stop(0);
        threads.shutdownNow();
    }
}
