package us.kbase.ee2proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.admission.AdmissionGate;
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.admission.Verdict;
import us.kbase.ee2proxy.config.Timeouts;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * A call that finds every connection to EE2 busy waits for one (issue 15, item 3) instead of being
 * refused: in arrival order, never sent once its client has left, for at most
 * {@code timeouts.response}, and refused EE2-shaped only beyond {@code upstream.maxWaitingPerLoop}.
 * One event loop, so every call goes through the same pool.
 */
class UpstreamWaitTest {
    private final List<String> received = new CopyOnWriteArrayList<>();
    /** Calls whose id starts with "hold" are answered only once this opens. */
    private final CountDownLatch release = new CountDownLatch(1);
    private ScriptedUpstream upstream;
    private ProxyExtension proxy;
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    private static byte[] call(String id) {
        return ("{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"" + id + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String result(String id) {
        return "{\"version\": \"1.1\", \"result\": [\"0.0.13\"], \"id\": \"" + id + "\"}";
    }

    /** An EE2 that records each call's body and answers it with its id, after {@code delayMillis}; "hold" calls wait for {@link #release}. */
    private ScriptedUpstream.Script ee2(long delayMillis) {
        return (in, out, n) -> {
            String head;
            while ((head = ScriptedUpstream.readHead(in)) != null) {
                String body = body(in, head);
                received.add(body);
                String id = body.substring(body.lastIndexOf("\"id\": \"") + 7, body.lastIndexOf('"'));
                if (id.startsWith("hold")) {
                    release.await();
                }
                Thread.sleep(delayMillis);
                ScriptedUpstream.write(out, ScriptedUpstream.ok(result(id)));
            }
        };
    }

    private static String body(InputStream in, String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return new String(in.readNBytes(Integer.parseInt(line.substring(line.indexOf(':') + 1).trim())),
                        StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private void start(URI ee2, int connections, int waiting, Duration response) throws Exception {
        start(ee2, connections, waiting, response, (call, caller) -> Verdict.FORWARD_NOW);
    }

    private void start(URI ee2, int connections, int waiting, Duration response, AdmissionGate gate) throws Exception {
        proxy = ProxyExtension.inFrontOf(ee2).config(c -> c.withIoThreads(1)
                .withUpstream(c.upstream().withPool(connections, waiting))
                .withTimeouts(new Timeouts(Duration.ofSeconds(20), response, Duration.ofSeconds(60))))
                .server((e, b) -> b.gate(gate)).build().start();
    }

    /** What admission's observer of one forwarded call heard, in order. */
    private static final class Heard implements ReplyObserver {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onReply(int status, ByteBuf body) {
            events.add("reply " + status);
        }

        @Override
        public void onFailure(UpstreamFailure failure) {
            events.add("failure " + failure.kind());
        }

        @Override
        public void onNotForwarded() {
            events.add("not forwarded");
        }
    }

    private long gauge(String name) {
        return ((Number) proxy.server().metrics().registry().getGauges().get(name).getValue()).longValue();
    }

    private long counter(String name) {
        return proxy.server().metrics().registry().counter(name).getCount();
    }

    private String metricsText() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void moreCallsThanConnectionsAreAllAnsweredInOrderPerConnection() throws Exception {
        upstream = new ScriptedUpstream(ee2(5));
        start(upstream.url(), 2, 1024, Duration.ofSeconds(60));
        int clients = 12;
        int perClient = 4;
        List<RawHttp> links = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            RawHttp link = new RawHttp(proxy.url());
            closeLast.add(link);
            links.add(link);
            for (int i = 0; i < perClient; i++) { // pipelined: each connection's calls in one go
                link.send(RawHttp.post("/", call("c" + c + "-" + i)));
            }
        }
        for (int c = 0; c < clients; c++) {
            for (int i = 0; i < perClient; i++) {
                RawHttp.Response r = links.get(c).read();
                assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
                assertThat(r.bodyText()).isEqualTo(result("c" + c + "-" + i));
            }
        }
        assertThat(received).hasSize(clients * perClient);
        assertThat(upstream.connections()).isLessThanOrEqualTo(2);
        assertThat(counter("ee2proxy.errors.upstream_busy")).isZero();
        assertThat(counter("ee2proxy.errors.upstream_wait_timeout")).isZero();
        assertThat(proxy.server().metrics().registry().timer("ee2proxy.upstream.wait.seconds").getCount())
                .as("calls that waited for a connection").isPositive();
    }

    @Test
    void metricsShowThePoolAndItsWaiters() throws Exception {
        upstream = new ScriptedUpstream(ee2(0));
        start(upstream.url(), 1, 1024, Duration.ofSeconds(60));
        List<RawHttp> links = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            RawHttp link = new RawHttp(proxy.url());
            closeLast.add(link);
            links.add(link);
            link.send(RawHttp.post("/", call("hold-" + c)));
        }
        await("three calls waiting for the one connection", () -> gauge("ee2proxy.upstream.waiting") == 3);
        String text = metricsText();
        assertThat(text).contains("ee2proxy_upstream_waiting 3.0")
                .contains("ee2proxy_upstream_connections_in_use 1.0")
                .contains("ee2proxy_upstream_connections_max 1.0")
                .contains("ee2proxy_upstream_wait_seconds_count");
        assertThat(received).hasSize(1);
        release.countDown();
        for (int c = 0; c < 4; c++) {
            assertThat(links.get(c).read().bodyText()).isEqualTo(result("hold-" + c));
        }
        assertThat(gauge("ee2proxy.upstream.waiting")).isZero();
        assertThat(proxy.server().metrics().registry().timer("ee2proxy.upstream.wait.seconds").getCount()).isEqualTo(3);
        assertThat(metricsText()).contains("ee2proxy_upstream_waiting 0.0").contains("ee2proxy_upstream_wait_seconds_count 3\n");
    }

    @Test
    void aWaitingCallWhoseClientLeavesIsNeverForwarded() throws Exception {
        upstream = new ScriptedUpstream(ee2(0));
        start(upstream.url(), 1, 1024, Duration.ofSeconds(60));
        RawHttp busy = new RawHttp(proxy.url());
        closeLast.add(busy);
        busy.send(RawHttp.post("/", call("hold-1")));
        await("the one connection busy", () -> received.size() == 1);

        RawHttp killed = new RawHttp(proxy.url());
        killed.send(RawHttp.post("/", call("gone-reset")));
        RawHttp halfClosed = new RawHttp(proxy.url());
        closeLast.add(halfClosed);
        halfClosed.send(RawHttp.post("/", call("gone-fin")));
        await("two calls waiting", () -> gauge("ee2proxy.upstream.waiting") == 2);
        killed.reset();
        halfClosed.halfClose();
        await("both taken back", () -> gauge("ee2proxy.upstream.waiting") == 0);
        assertThat(counter("ee2proxy.upstream.wait.withdrawn")).isEqualTo(2);
        // A half-closed client may still be reading: it learns its call was not sent.
        RawHttp.Response told = halfClosed.read();
        assertThat(told.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
        assertThat(told.bodyText()).contains("\"code\": -32000").contains("\"id\": \"gone-fin\"")
                .contains("waiting for one of its connections to Execution Engine 2")
                .contains("not sent to Execution Engine 2");
        assertThat(halfClosed.closedByServer()).isTrue();

        release.countDown();
        assertThat(busy.read().bodyText()).isEqualTo(result("hold-1"));
        try (RawHttp next = new RawHttp(proxy.url())) {
            assertThat(next.send(RawHttp.post("/", call("after"))).read().bodyText()).isEqualTo(result("after"));
        }
        assertThat(received).hasSize(2);
        assertThat(received.get(0)).contains("hold-1");
        assertThat(received.get(1)).contains("after");
    }

    /**
     * A job-creating call admission let through takes a lease; taken back from the wait, unsent, its
     * observer hears so (and admission frees the lease), once, and never of an answer.
     */
    @Test
    void aWithdrawnCallTellsAdmissionItWasNeverForwarded() throws Exception {
        upstream = new ScriptedUpstream(ee2(0));
        Map<String, Heard> observers = new ConcurrentHashMap<>();
        start(upstream.url(), 1, 1024, Duration.ofSeconds(60), (call, caller) -> {
            Heard heard = new Heard();
            observers.put(call.envelope().idJson(), heard);
            return java.util.concurrent.CompletableFuture.completedFuture(Verdict.forward(heard));
        });
        RawHttp busy = new RawHttp(proxy.url());
        closeLast.add(busy);
        busy.send(RawHttp.post("/", call("hold-1")));
        await("the one connection busy", () -> received.size() == 1);
        RawHttp leaving = new RawHttp(proxy.url());
        leaving.send(RawHttp.post("/", call("leaves")));
        await("one call waiting", () -> gauge("ee2proxy.upstream.waiting") == 1);
        leaving.reset();
        await("its observer told", () -> observers.get("\"leaves\"") != null && !observers.get("\"leaves\"").events.isEmpty());
        release.countDown();
        assertThat(busy.read().bodyText()).isEqualTo(result("hold-1"));
        Thread.sleep(300); // anything still to come for the withdrawn call would come now
        assertThat(observers.get("\"leaves\"").events).containsExactly("not forwarded");
        assertThat(observers.get("\"hold-1\"").events).containsExactly("reply 200");
        assertThat(received).hasSize(1);
    }

    @Test
    void aCallBeyondTheWaitListIsRefusedUnsentAndSaysSo() throws Exception {
        upstream = new ScriptedUpstream(ee2(0));
        start(upstream.url(), 1, 1, Duration.ofSeconds(60));
        RawHttp busy = new RawHttp(proxy.url());
        closeLast.add(busy);
        busy.send(RawHttp.post("/", call("hold-1")));
        await("the one connection busy", () -> received.size() == 1);
        RawHttp waiting = new RawHttp(proxy.url());
        closeLast.add(waiting);
        waiting.send(RawHttp.post("/", call("waits")));
        await("one call waiting", () -> gauge("ee2proxy.upstream.waiting") == 1);
        try (RawHttp over = new RawHttp(proxy.url())) {
            RawHttp.Response r = over.send(RawHttp.post("/", call("over"))).read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
            assertThat(r.bodyText()).contains("\"id\": \"over\"").contains("list of requests waiting for one is full")
                    .contains("upstream.maxWaitingPerLoop").contains("not sent to Execution Engine 2");
        }
        assertThat(counter("ee2proxy.errors.upstream_busy")).isEqualTo(1);
        release.countDown();
        assertThat(busy.read().bodyText()).isEqualTo(result("hold-1"));
        assertThat(waiting.read().bodyText()).isEqualTo(result("waits"));
        assertThat(received).hasSize(2).noneMatch(b -> b.contains("over"));
    }

    /**
     * The one connection stays in the making (EE2's accept queue is full, so the connect hangs for
     * the 20 s connect timeout), so a call behind it can only wait; it is answered unsent when its
     * {@code timeouts.response} of 1 s is up.
     */
    @Test
    void theWaitIsBoundedByTheResponseTimeout() throws Exception {
        InetSocketAddress full = fullListener();
        start(URI.create("http://127.0.0.1:" + full.getPort() + "/"), 1, 1024, Duration.ofSeconds(1));
        RawHttp first = new RawHttp(proxy.url());
        closeLast.add(first);
        first.send(RawHttp.post("/", call("first")));
        await("the first call has the one connection", () -> gauge("ee2proxy.upstream.connections.in_use") == 1);
        try (RawHttp second = new RawHttp(proxy.url())) {
            RawHttp.Response r = second.send(RawHttp.post("/", call("second"))).read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.bodyText()).contains("\"id\": \"second\"").contains("\"code\": -32000")
                    .contains("waited 1 second (timeouts.response)").contains("not sent to Execution Engine 2");
        }
        assertThat(counter("ee2proxy.errors.upstream_wait_timeout")).isEqualTo(1);
        assertThat(gauge("ee2proxy.upstream.waiting")).isZero();
    }

    /** A listener that accepts nothing, its accept queue filled, so a further connect hangs. */
    private InetSocketAddress fullListener() throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeLast.add(server);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            closeLast.add(s);
            try {
                s.connect(address, 500);
            } catch (SocketTimeoutException hung) {
                return address; // the queue is full: this connect hung
            }
        }
        throw new IllegalStateException("the kernel kept accepting connections into a full queue");
    }
}
