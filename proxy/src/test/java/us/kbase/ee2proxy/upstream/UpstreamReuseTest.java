package us.kbase.ee2proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.Timeouts;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * A pooled connection to EE2 goes back to the pool only in a state the proxy is sure of (issue 16,
 * item 9): never with a request not yet sent whole, after an interim answer other than 100, after
 * a protocol switch, or after an answer that ended with the connection. One event loop, so every
 * call of a test goes through the same pool and would get a reused connection if one were offered.
 */
class UpstreamReuseTest {
    private static final byte[] VER = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"9\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final String RESULT = "{\"version\": \"1.1\", \"result\": [\"0.0.13\"], \"id\": \"9\"}";

    private ScriptedUpstream upstream;
    private ProxyExtension proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private ProxyExtension start(ScriptedUpstream.Script script, Duration responseTimeout) throws Exception {
        upstream = new ScriptedUpstream(script);
        proxy = ProxyExtension.inFrontOf(upstream.url()).config(c -> c.withIoThreads(1)
                .withTimeouts(new Timeouts(Duration.ofSeconds(5), responseTimeout, Duration.ofSeconds(60)))).build().start();
        return proxy;
    }

    /** Answers every request on the connection with {@code before} and then a 200. */
    private static ScriptedUpstream.Script answering(String before) {
        return (in, out, n) -> {
            String head;
            while ((head = ScriptedUpstream.readHead(in)) != null) {
                ScriptedUpstream.skipBody(in, head);
                ScriptedUpstream.write(out, before + ScriptedUpstream.ok(RESULT));
            }
        };
    }

    private static RawHttp.Response call(RawHttp client) throws Exception {
        return client.send(RawHttp.post("/", VER)).read();
    }

    @Test
    void anInterimAnswerOtherThan100IsWaitedPastAndItsConnectionNotReused() throws Exception {
        start(answering("HTTP/1.1 102 Processing\r\n\r\n"), Duration.ofSeconds(60));
        try (RawHttp client = new RawHttp(proxy.url())) {
            for (int i = 0; i < 2; i++) {
                RawHttp.Response r = call(client);
                assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
                assertThat(r.bodyText()).isEqualTo(RESULT);
            }
        }
        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    void a100ContinueFromEe2IsSkippedAndItsConnectionReused() throws Exception {
        start(answering("HTTP/1.1 100 Continue\r\n\r\n"), Duration.ofSeconds(60));
        try (RawHttp client = new RawHttp(proxy.url())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = call(client);
                assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
                assertThat(r.bodyText()).isEqualTo(RESULT);
            }
        }
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void aProtocolSwitchFailsTheCallAndItsConnectionIsClosed() throws Exception {
        start((in, out, n) -> {
            String head;
            while ((head = ScriptedUpstream.readHead(in)) != null) {
                ScriptedUpstream.skipBody(in, head);
                ScriptedUpstream.write(out, n == 1
                        ? "HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo/1\r\nConnection: Upgrade\r\n\r\n"
                        : ScriptedUpstream.ok(RESULT));
            }
        }, Duration.ofSeconds(60));
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Response r = call(client);
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.bodyText()).contains("switched protocols (101)").contains("\"code\": -32000");
            RawHttp.Response next = call(client);
            assertThat(next.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(next.bodyText()).isEqualTo(RESULT);
        }
        assertThat(upstream.connections()).isEqualTo(2);
    }

    /**
     * EE2 (or a front door before it) answers as soon as it has the head, before the proxy has sent
     * the whole body. Reusing that connection would send the rest of the body ahead of the next call,
     * which EE2 would read as its start; here the first connection reads nothing more, so a reused
     * connection shows as the next call timing out.
     */
    @Test
    void anAnswerBeforeTheRequestWasSentWholeClosesItsConnection() throws Exception {
        start((in, out, n) -> {
            String head = ScriptedUpstream.readHead(in);
            if (n == 1) {
                ScriptedUpstream.write(out, ScriptedUpstream.ok(RESULT));
                Thread.sleep(2000); // long after the proxy had the answer: its connection is closed or pooled by now
                in.transferTo(OutputStream.nullOutputStream()); // then read whatever arrives, and never answer it
                return;
            }
            while (head != null) {
                ScriptedUpstream.skipBody(in, head);
                ScriptedUpstream.write(out, ScriptedUpstream.ok(RESULT));
                head = ScriptedUpstream.readHead(in);
            }
        }, Duration.ofSeconds(10));
        byte[] large = new byte[24 * 1024 * 1024]; // more than socket buffers hold, so the write is still going
        Arrays.fill(large, (byte) ' ');
        System.arraycopy(VER, 0, large, 0, VER.length);
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Response r = client.send(RawHttp.post("/", large)).read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            RawHttp.Response next = call(client);
            assertThat(next.bodyText()).as("the call after the early answer").isEqualTo(RESULT);
        }
        assertThat(upstream.connections()).isEqualTo(2);
    }

    /** Not a regression (a closed connection was never reused), but the answer must still arrive whole. */
    @Test
    void anAnswerThatEndsWithTheConnectionIsRelayedAndNotReused() throws Exception {
        start((in, out, n) -> {
            String head = ScriptedUpstream.readHead(in);
            ScriptedUpstream.skipBody(in, head);
            ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n" + RESULT);
        }, Duration.ofSeconds(60));
        try (RawHttp client = new RawHttp(proxy.url())) {
            for (int i = 0; i < 2; i++) {
                RawHttp.Response r = call(client);
                assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
                assertThat(r.bodyText()).isEqualTo(RESULT);
                assertThat(r.header("Connection")).isNull();
            }
        }
        assertThat(upstream.connections()).isEqualTo(2);
    }
}
