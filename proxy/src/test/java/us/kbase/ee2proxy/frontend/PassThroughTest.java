package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;
import us.kbase.ee2proxy.testing.ProxyExtension;

/** What crosses the proxy unchanged, what it must change (hop-by-hop, Host, Content-Length, X-Forwarded-For). */
class PassThroughTest {
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK).build();

    @BeforeEach
    void drain() throws InterruptedException {
        proxy.upstream().behave(TestUpstream.EE2_OK);
        while (proxy.upstream().poll(0) != null) {
            // forget requests of earlier tests
        }
    }

    @Test
    void bodyBytesStatusAndHeadersCrossUnchanged() throws Exception {
        String odd = "{\"method\": \"execution_engine2.check_job\", \"params\": [{\"job_id\": \"\u00e9\"}], \"id\": NaN}";
        proxy.upstream().behave((ctx, req) -> {
            var r = TestUpstream.json(HttpResponseStatus.INTERNAL_SERVER_ERROR, "{\"error\": {\"code\": -32000}}");
            r.headers().add("X-Upstream", "kept");
            ctx.writeAndFlush(r);
        });
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Response r = client.send(RawHttp.post("/", odd.getBytes(StandardCharsets.UTF_8),
                    "Authorization: tok", "Content-Type: application/json")).read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
            assertThat(r.bodyText()).isEqualTo("{\"error\": {\"code\": -32000}}");
            assertThat(r.headers()).extracting(e -> e.getKey()).containsSubsequence(
                    "Access-Control-Allow-Origin", "Access-Control-Allow-Headers", "content-type", "content-length", "X-Upstream");
            assertThat(r.header("content-type")).isEqualTo("application/json");
        }
        TestUpstream.Received got = proxy.upstream().next();
        assertThat(got.body()).isEqualTo(odd.getBytes(StandardCharsets.UTF_8));
        assertThat(got.header("Authorization")).isEqualTo("tok");
        assertThat(got.header("Host")).isEqualTo("127.0.0.1:" + proxy.upstream().port());
        assertThat(got.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
    }

    /** Header bytes are relayed, not re-encoded (issue 15): bytes outside ASCII cross both ways as they were. */
    @Test
    void headerBytesOutsideAsciiCrossUnchanged() throws Exception {
        // "José" in UTF-8, carried as the ISO-8859-1 characters of its bytes on both sides of the wire.
        String utf8 = new String("Jos\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        proxy.upstream().behave((ctx, req) -> {
            var r = TestUpstream.json(HttpResponseStatus.OK, "{}");
            r.headers().add("X-Upstream-Name", req.headers().get("X-Name"));
            ctx.writeAndFlush(r);
        });
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Response r = client.send(RawHttp.post("/", "{}".getBytes(StandardCharsets.UTF_8), "X-Name: " + utf8)).read();
            assertThat(r.header("X-Upstream-Name")).isEqualTo(utf8);
        }
        assertThat(proxy.upstream().next().header("X-Name")).isEqualTo(utf8);
    }

    @Test
    void chunkedRequestReachesEe2WithContentLength() throws Exception {
        String body = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": \"1\"}";
        String chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
                + Integer.toHexString(body.length() - 10) + "\r\n" + body.substring(10) + "\r\n0\r\n\r\n";
        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send(chunked).read().status()).isEqualTo(200);
        }
        TestUpstream.Received got = proxy.upstream().next();
        assertThat(got.bodyText()).isEqualTo(body);
        assertThat(got.header("Content-Length")).isEqualTo(String.valueOf(body.length()));
        assertThat(got.header("Transfer-Encoding")).isNull();
    }

    @Test
    void hopByHopHeadersAreDroppedBothWaysAndForwardedForAppended() throws Exception {
        proxy.upstream().behave((ctx, req) -> {
            var r = TestUpstream.json(HttpResponseStatus.OK, "{}");
            r.headers().add("Connection", "X-Up-Private");
            r.headers().add("X-Up-Private", "secret");
            r.headers().add("Keep-Alive", "timeout=5");
            r.headers().add("Upgrade", "h2c");
            ctx.writeAndFlush(r);
        });
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Response r = client.send(RawHttp.post("/any/path?q=1", "{}".getBytes(StandardCharsets.UTF_8),
                    "Connection: keep-alive, X-Private", "X-Private: drop me", "Keep-Alive: timeout=5",
                    "Proxy-Connection: keep-alive", "TE: trailers", "Upgrade: websocket",
                    "X-Forwarded-For: 10.1.2.3", "X-Kept: yes")).read();
            assertThat(r.header("X-Up-Private")).isNull();
            assertThat(r.header("Keep-Alive")).isNull();
            assertThat(r.header("Upgrade")).isNull();
            assertThat(r.header("Connection")).isNull();
        }
        TestUpstream.Received got = proxy.upstream().next();
        assertThat(got.uri()).isEqualTo("/any/path?q=1");
        for (String gone : new String[] {"X-Private", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade"}) {
            assertThat(got.header(gone)).as(gone).isNull();
        }
        assertThat(got.header("X-Kept")).isEqualTo("yes");
        assertThat(got.header("X-Forwarded-For")).isEqualTo("10.1.2.3, 127.0.0.1");
    }

    @Test
    void optionsPassesThrough() throws Exception {
        proxy.upstream().behave((ctx, req) -> {
            var r = TestUpstream.json(HttpResponseStatus.OK, "");
            r.headers().set("Access-Control-Allow-Headers", req.headers().get("Access-Control-Request-Headers"));
            ctx.writeAndFlush(r);
        });
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.url())
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Access-Control-Request-Headers", "authorization, content-type").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).contains("authorization, content-type");
        assertThat(proxy.upstream().next().method()).isEqualTo("OPTIONS");
    }

    @Test
    void keepAliveConnectionsToEe2AreReused() throws Exception {
        int before = proxy.upstream().connections();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(proxy.url())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": \"1\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        // Sequential requests from one client share one event loop: one or two pooled
        // connections, never one per request.
        assertThat(proxy.upstream().connections() - before).isLessThanOrEqualTo(2);
    }

    @Test
    void pipelinedRequestsAnswerInOrder() throws Exception {
        proxy.upstream().behave((ctx, req) -> ctx.writeAndFlush(TestUpstream.json(HttpResponseStatus.OK,
                req.content().toString(StandardCharsets.UTF_8))));
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            all.append(new String(RawHttp.post("/", ("{\"n\": " + i + "}").getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.ISO_8859_1));
        }
        try (RawHttp client = new RawHttp(proxy.url())) {
            client.send(all.toString());
            for (int i = 0; i < 5; i++) {
                assertThat(client.read().bodyText()).isEqualTo("{\"n\": " + i + "}");
            }
        }
    }

    @Test
    void expectContinueIsAnswered() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(proxy.url()).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": \"1\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        TestUpstream.Received got = proxy.upstream().next();
        assertThat(got.header("Expect")).isNull();
        assertThat(got.bodyText()).contains("execution_engine2.ver");
    }

    @Test
    void upstreamPathReplacesTheClientsPath() throws Exception {
        try (ProxyServer prefixed = ProxyServer.builder(ProxyConfig.defaults(URI.create(proxy.upstream().url() + "services/ee2"))
                .withListen(new HostPort("127.0.0.1", 0)).withAdmin(new HostPort("127.0.0.1", 0))).build().start();
                RawHttp client = new RawHttp(prefixed.url())) {
            assertThat(client.send(RawHttp.post("/services/ee2", "{}".getBytes(StandardCharsets.UTF_8))).read().status())
                    .isEqualTo(200);
        }
        assertThat(proxy.upstream().next().uri()).isEqualTo("/services/ee2");
    }
}
