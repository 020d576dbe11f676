package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.Limits;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.config.Timeouts;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/** Every way EE2 or a client can fail: the proxy answers EE2-shaped, never hangs, never leaks. */
class FailureTest {
    private static final byte[] VER = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"9\"}"
            .getBytes(StandardCharsets.UTF_8);

    /** The test's proxy: each test fails EE2 its own way, with its own limits. */
    private ProxyExtension proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private ProxyExtension start(ProxyExtension.Builder b, Timeouts timeouts, Limits limits) throws Exception {
        proxy = b.config(c -> c.withTimeouts(timeouts).withLimits(limits)).build().start();
        return proxy;
    }

    private ProxyExtension start(TestUpstream.Behaviour ee2, Timeouts timeouts, Limits limits) throws Exception {
        return start(ProxyExtension.withTestUpstream(ee2), timeouts, limits);
    }

    private ProxyExtension start(TestUpstream.Behaviour ee2) throws Exception {
        return start(ee2, ProxyConfig.DEFAULT_TIMEOUTS, ProxyConfig.DEFAULT_LIMITS);
    }

    private static void assertEe2Error(RawHttp.Response r, String... phrases) {
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(r.bodyText()).startsWith("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": \"")
                .endsWith("\"version\": \"1.1\"}").doesNotContain("Exception").doesNotContain("\tat ");

        for (String p : phrases) {
            assertThat(r.bodyText()).contains(p);
        }
    }

    @Test
    void upstreamDownOrRefusing() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        URI down = URI.create("http://127.0.0.1:" + closedPort + "/");
        try (RawHttp client = new RawHttp(start(ProxyExtension.inFrontOf(down), ProxyConfig.DEFAULT_TIMEOUTS, ProxyConfig.DEFAULT_LIMITS)
                .url())) {
            RawHttp.Response r = client.send(RawHttp.post("/", VER)).read();
            assertEe2Error(r, "could not reach Execution Engine 2 at " + down + ": connection refused",
                    "no job was submitted", "Try again in a minute",
                    "\"id\": \"9\""); // an answer about a sniffed call echoes its id, as EE2's errors do
            // The connection stays usable after the proxy's own answer.
            assertEe2Error(client.send(RawHttp.post("/", VER)).read(), "connection refused");
        }
        assertThat(proxy.server().metrics().registry().counter("ee2proxy.errors.upstream_unreachable").getCount()).isEqualTo(2);
    }

    @Test
    void upstreamSlowerThanTheResponseTimeout() throws Exception {
        Timeouts quick = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(60));
        try (RawHttp client = new RawHttp(start((ctx, req) -> { /* never answers */ }, quick, ProxyConfig.DEFAULT_LIMITS).url())) {
            assertEe2Error(client.send(RawHttp.post("/", VER)).read(), "did not answer within 1 second",
                    "check your jobs before submitting again");
            // A later request gets a fresh connection and an answer.
            proxy.upstream().behave(TestUpstream.EE2_OK);
            assertThat(client.send(RawHttp.post("/", VER)).read().status()).isEqualTo(200);
        }
    }

    @Test
    void upstreamClosingMidResponse() throws Exception {
        // The test upstream's codec expects response objects; raw bytes need it out of the way.
        start((ctx, req) -> {
            ctx.pipeline().remove(io.netty.handler.codec.http.HttpServerCodec.class);
            ctx.writeAndFlush(Unpooled.copiedBuffer(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"vers",
                    StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
        });
        try (RawHttp client = new RawHttp(proxy.url())) {
            assertEe2Error(client.send(RawHttp.post("/", VER)).read(), "closed the connection before answering");
        }
    }

    @Test
    void bodyTooLargeIsRefusedBeforeReachingEe2() throws Exception {
        Limits small = new Limits(8192, 16384, 1000, 1_000_000);
        URI url = start(TestUpstream.EE2_OK, ProxyConfig.DEFAULT_TIMEOUTS, small).url();
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Response r = client.send(RawHttp.post("/", new byte[5000], "Expect: 100-continue")).read();
            assertEe2Error(r, "larger than ee2-admission-proxy's limit of 1000 bytes (limits.maxBodyBytes)");
            assertThat(client.closedByServer()).isTrue();
        }
        String chunk = "x".repeat(600);
        try (RawHttp client = new RawHttp(url)) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + chunk + "\r\n258\r\n"
                    + chunk + "\r\n0\r\n\r\n");
            assertEe2Error(client.read(), "limits.maxBodyBytes");
        }
        assertThat(proxy.upstream().poll(300)).isNull();
    }

    @Test
    void malformedHttpGetsAnEe2ErrorAndAClose() throws Exception {
        try (RawHttp client = new RawHttp(start(TestUpstream.EE2_OK).url())) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: nine\r\n\r\n{}");
            assertEe2Error(client.read(), "could not read the HTTP request");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(proxy.upstream().poll(300)).isNull();
    }

    @Test
    void headersTooLargeGetAnEe2Error() throws Exception {
        try (RawHttp client = new RawHttp(start(TestUpstream.EE2_OK).url())) {
            client.send(RawHttp.post("/", VER, "X-Big: " + "y".repeat(20_000)));
            assertEe2Error(client.read(), "limits.maxHeaderBytes");
        }
        assertThat(proxy.upstream().poll(300)).isNull();
    }

    @Test
    void upstreamResponseTooLarge() throws Exception {
        Limits small = new Limits(8192, 16384, 1000, 1000);
        try (RawHttp client = new RawHttp(start((ctx, req) -> ctx.writeAndFlush(TestUpstream.json(HttpResponseStatus.OK,
                "x".repeat(5000))), ProxyConfig.DEFAULT_TIMEOUTS, small).url())) {
            assertEe2Error(client.send(RawHttp.post("/", VER)).read(), "limits.maxResponseBytes");
        }
    }

    @Test
    void clientClosingMidRequestSendsNothingUpstream() throws Exception {
        URI url = start(TestUpstream.EE2_OK).url();
        try (RawHttp client = new RawHttp(url)) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"method\": \"execution_engine2.run_job\"");
        }
        assertThat(proxy.upstream().poll(500)).isNull();
        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send(RawHttp.post("/", VER)).read().status()).isEqualTo(200);
        }
        // Await the close of the first connection, then only the second remains open.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (proxy.server().metrics().openConnections() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(proxy.server().metrics().openConnections()).isZero();
    }
}
