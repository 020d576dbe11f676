package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * EE2 serves POST and OPTIONS; the proxy answers every other method itself, EE2-shaped, and never
 * forwards it (issue 16, item 9): a CONNECT that reached EE2 turned a pooled connection into a tunnel
 * and failed other clients' calls.
 */
class MethodsTest {
    private static final byte[] VER = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"9\"}"
            .getBytes(StandardCharsets.UTF_8);

    /** A proxy for each test, in front of an EE2 that answers every call. */
    @RegisterExtension
    final ProxyExtension proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK).build();

    static void assertEe2Error(RawHttp.Response r, String... phrases) {
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(r.bodyText()).startsWith("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": \"")
                .endsWith("\"version\": \"1.1\"}");
        for (String p : phrases) {
            assertThat(r.bodyText()).contains(p);
        }
    }

    /**
     * The incident: a CONNECT (carrying a call) went to EE2, which answered 200 with an empty body; Netty's client
     * codec then read that pooled connection as a tunnel, and the next call sent on it failed with
     * "closed the connection before answering". One event loop, so both clients share one pool.
     */
    @Test
    void connectFromOneClientNeverFailsAnotherClientsCall() throws Exception {
        try (ProxyExtension oneLoop = ProxyExtension.withTestUpstream((ctx, req) -> ctx.writeAndFlush(
                        req.method().name().equals("CONNECT") ? TestUpstream.json(HttpResponseStatus.OK, "")
                                : TestUpstream.json(HttpResponseStatus.OK, "{\"version\": \"1.1\", \"result\": [\"ok\"], \"id\": \"9\"}")))
                .config(c -> c.withIoThreads(1)).build().start()) {
            try (RawHttp first = new RawHttp(oneLoop.url())) {
                assertThat(first.send(RawHttp.post("/", VER)).read().status()).isEqualTo(200); // a pooled connection now exists
            }
            RawHttp.Response refused;
            try (RawHttp attacker = new RawHttp(oneLoop.url())) {
                // With a body that is a call: a body-less CONNECT was answered as a parse error even before.
                refused = attacker.send("CONNECT ee2.example:443 HTTP/1.1\r\nHost: ee2.example:443\r\nContent-Length: " + VER.length
                        + "\r\n\r\n" + new String(VER, StandardCharsets.ISO_8859_1)).read();
            }
            try (RawHttp other = new RawHttp(oneLoop.url())) {
                for (int i = 0; i < 20; i++) {
                    RawHttp.Response r = other.send(RawHttp.post("/", VER)).read();
                    assertThat(r.status()).as("call %d after the CONNECT: %s", i, r.bodyText()).isEqualTo(200);
                }
            }
            assertEe2Error(refused, "sends only POST requests", "this was a CONNECT request", "no job was submitted");
            TestUpstream.Received got;
            while ((got = oneLoop.upstream().poll(300)) != null) {
                assertThat(got.method()).isEqualTo("POST");
            }
        }
    }

    @Test
    void methodsEe2DoesNotServeAreAnsweredByTheProxyAndNeverForwarded() throws Exception {
        List<String> requests = List.of(
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /status HTTP/1.1\r\nHost: x\r\n\r\n",
                "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
                "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n",
                "PATCH / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
                "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n",
                "CONNECT ee2.example:443 HTTP/1.1\r\nHost: ee2.example:443\r\n\r\n",
                "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");
        for (String request : requests) {
            String method = request.substring(0, request.indexOf(' '));
            try (RawHttp client = new RawHttp(proxy.url())) {
                RawHttp.Response r = client.send(request).read();
                assertEe2Error(r, "this was a " + method + " request", "The request was not sent to Execution Engine 2");
                assertThat(r.header("Connection")).isEqualTo("close");
                assertThat(client.endedByServer()).as(method).isTrue();
            }
        }
        assertThat(proxy.upstream().poll(300)).isNull();
        assertThat(proxy.server().metrics().registry().counter("ee2proxy.errors.method_not_served").getCount()).isEqualTo(requests.size());
    }

    @Test
    void aRefusedMethodIsAnsweredInItsTurnAfterTheCallsSentBeforeIt() throws Exception {
        String pipelined = new String(RawHttp.post("/", VER), StandardCharsets.ISO_8859_1)
                + "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n"
                + new String(RawHttp.post("/", VER), StandardCharsets.ISO_8859_1);
        try (RawHttp client = new RawHttp(proxy.url())) {
            client.send(pipelined);
            assertThat(client.read().status()).isEqualTo(200);
            assertEe2Error(client.read(), "this was a DELETE request");
            assertThat(client.endedByServer()).isTrue();
        }
        assertThat(proxy.upstream().next().method()).isEqualTo("POST");
        assertThat(proxy.upstream().poll(300)).as("the call after the refused one is never sent").isNull();
    }

    /** A HEAD answer has the headers of the error a GET gets, Content-Length included, and no body. */
    @Test
    void headIsAnsweredWithTheErrorsHeadersAndNoBody() throws Exception {
        int getLength;
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Response get = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
            getLength = get.body().length;
        }
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Response head = client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n").readHead();
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
            assertThat(head.header("content-type")).isEqualTo("application/json");
            // The GET's body named GET; this one would name HEAD, one letter more.
            assertThat(Integer.parseInt(head.header("content-length"))).isEqualTo(getLength + 1);
            assertThat(client.endedByServer()).as("no body bytes after the headers").isTrue();
        }
        assertThat(proxy.upstream().poll(300)).isNull();
    }

    /** Netty's aggregator answered an Expect it does not know with a bare 417, out of turn. */
    @Test
    void anUnknownExpectationGetsAnEe2ShapedAnswer() throws Exception {
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Response r = client.send(RawHttp.post("/", VER, "Expect: 200-ok")).read();
            assertEe2Error(r, "'Expect: 200-ok'", "only 'Expect: 100-continue'", "no job was submitted");
            assertThat(client.endedByServer()).isTrue();
        }
        assertThat(proxy.upstream().poll(300)).isNull();
        // 100-continue is still answered, and the call goes through.
        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send(RawHttp.post("/", VER, "Expect: 100-continue")).read().status()).isEqualTo(200);
        }
        assertThat(proxy.upstream().next().header("Expect")).isNull();
    }
}
