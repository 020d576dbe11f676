package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.Limits;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * Request bodies held in memory are bounded in total and per client address (issue 16, item 12):
 * 32 unfinished 31 MiB bodies had pushed the proxy to 1.2 GB and a legitimate 16 MiB call got a TCP
 * reset. A body that does not fit is refused, EE2-shaped with Retry-After, before more of it is read;
 * and every byte counted is given back, whichever way the request ends.
 *
 * <p>Clients on 127.0.0.2 and up are other addresses: Linux routes all of 127.0.0.0/8 to loopback.
 */
class BodyBudgetTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    private ProxyExtension proxy;
    private final List<RawHttp> clients = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (RawHttp c : clients) {
            c.close();
        }
        proxy.close();
    }

    /** The test's proxy, in front of {@code ee2}, its configuration changed by {@code change}. */
    private void start(TestUpstream.Behaviour ee2, UnaryOperator<ProxyConfig> change) throws Exception {
        proxy = ProxyExtension.withTestUpstream(ee2).config(change).build().start();
    }

    private long buffered() {
        return (Long) proxy.server().metrics().registry().getGauges().get(ProxyServer.BUFFERED_BODY_BYTES).getValue();
    }

    private void awaitBuffered(long bytes) {
        await("request-body bytes held to be " + bytes, () -> buffered() == bytes);
    }

    private RawHttp connect(int lastOctet) throws IOException {
        RawHttp c = new RawHttp(proxy.url(), InetAddress.getByName("127.0.0." + lastOctet));
        clients.add(c);
        return c;
    }

    private static String head(long contentLength, String... headers) {
        return "POST / HTTP/1.1\r\nHost: x\r\n" + String.join("", Arrays.stream(headers).map(h -> h + "\r\n").toList())
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    /** A call from {@code lastOctet} whose 31 MiB body has only begun to arrive. */
    private RawHttp unfinished(int lastOctet) throws IOException {
        return connect(lastOctet).send(head(31 * MIB) + "{\"pad\": \"" + "x".repeat(1000));
    }

    private static void assertBusy(RawHttp.Response r, String... phrases) {
        MethodsTest.assertEe2Error(r, "busy receiving other large requests", "The request was not sent to Execution Engine 2");
        for (String p : phrases) {
            assertThat(r.bodyText()).contains(p);
        }
        assertThat(r.header("Retry-After")).isEqualTo("5");
        assertThat(r.header("Connection")).isEqualTo("close");
    }

    private static byte[] call(int bodyBytes) {
        byte[] body = new byte[bodyBytes];
        Arrays.fill(body, (byte) 'x');
        byte[] open = "{\"pad\": \"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(open, 0, body, 0, open.length);
        body[bodyBytes - 2] = '"';
        body[bodyBytes - 1] = '}';
        return body;
    }

    /** The incident's shape, with the default limits: 64 MiB per address, 256 MiB in all. */
    @Test
    void unfinishedLargeBodiesAreBoundedAndALegitimateCallGetsAnAnswerNotAReset() throws Exception {
        start(TestUpstream.EE2_OK, c -> c);
        List<RawHttp> attackers = new ArrayList<>(List.of(unfinished(1), unfinished(1)));
        awaitBuffered(2L * 31 * MIB);
        RawHttp third = connect(1).send(head(31 * MIB));
        assertBusy(third.read(), "from the same address", "limits.maxBufferedBodyBytesPerAddress, 67108864 bytes");
        assertThat(third.endedByServer()).isTrue();
        for (int address = 2; address <= 4; address++) {
            attackers.add(unfinished(address));
            attackers.add(unfinished(address));
        }
        awaitBuffered(8L * 31 * MIB);
        RawHttp fromElsewhere = connect(5).send(head(31 * MIB));
        assertBusy(fromElsewhere.read(), "limits.maxBufferedBodyBytes, 268435456 bytes for all clients together");
        // A well-behaved large call (it waits for 100 Continue) learns why, and when to try again.
        assertBusy(connect(5).send(head(16 * MIB, "Expect: 100-continue")).read());
        // A small one still fits.
        assertThat(connect(5).send(RawHttp.post("/", call(1000))).read().status()).isEqualTo(200);

        for (RawHttp a : attackers) {
            a.close();
        }
        awaitBuffered(0);
        RawHttp.Response legit = connect(5).send(RawHttp.post("/", call(16 * MIB))).read();
        assertThat(legit.status()).isEqualTo(200);
        assertThat(proxy.upstream().next().body()).hasSize(1000);
        assertThat(proxy.upstream().next().body()).hasSize(16 * MIB);
        awaitBuffered(0);
        assertThat(proxy.upstream().poll(300)).as("no refused call reached EE2").isNull();
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    @Test
    void aChunkedBodyIsCountedAsItArrivesAndRefusedAtTheChunkThatDoesNotFit() throws Exception {
        Limits small = new Limits(8192, 16384, 64 * KIB, MIB).withBufferedBodyBytes(128 * KIB, 64 * KIB);
        start(TestUpstream.EE2_OK, c -> c.withLimits(small));
        String chunkedHead = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        RawHttp a = connect(1).send(chunkedHead + chunk("{\"pad\": \"" + "x".repeat(20 * KIB - 9)) + chunk("x".repeat(20 * KIB)));
        awaitBuffered(40 * KIB);
        // A declared length is counted whole, at the head.
        RawHttp b = connect(1).send(head(30 * KIB));
        assertBusy(b.read(), "from the same address");
        assertThat(buffered()).isEqualTo(40 * KIB);
        RawHttp c = connect(1).send(chunkedHead + chunk("y".repeat(20 * KIB)));
        awaitBuffered(60 * KIB);
        c.send(chunk("y".repeat(10 * KIB)));
        assertBusy(c.read(), "from the same address");
        assertThat(c.endedByServer()).isTrue();
        awaitBuffered(40 * KIB); // the refused body's 20 KiB are given back when its connection closes
        RawHttp.Response done = a.send(chunk("\"}") + "0\r\n\r\n").read();
        assertThat(done.status()).isEqualTo(200);
        assertThat(proxy.upstream().next().body()).hasSize(40 * KIB + 2);
        awaitBuffered(0);
    }

    /** Answer, EE2's error, EE2 gone, parse error, client gone, deadline, pipelining refused, client gone during a call, refusals. */
    @Test
    void everyByteCountedIsGivenBackWhicheverWayTheRequestEnds() throws Exception {
        start((ctx, req) -> {
            String body = req.content().toString(StandardCharsets.UTF_8);
            if (body.contains("fail")) {
                ctx.writeAndFlush(TestUpstream.json(HttpResponseStatus.INTERNAL_SERVER_ERROR, "{\"error\": {}}"));
            } else if (body.contains("close")) {
                ctx.close();
            } else if (body.contains("slow")) {
                ctx.executor().schedule(() -> TestUpstream.EE2_OK.answer(ctx, req), 1, TimeUnit.SECONDS);
            } else {
                TestUpstream.EE2_OK.answer(ctx, req);
            }
        }, base -> base.withTimeouts(base.timeouts().withRequest(Duration.ofSeconds(1)))
                .withLimits(base.limits().withMaxPipelinedRequests(2)));

        for (String body : List.of("{\"x\": \"ok\"}", "{\"x\": \"fail\"}", "{\"x\": \"close\"}", "{bad json")) {
            try (RawHttp client = new RawHttp(proxy.url())) {
                assertThat(client.send(RawHttp.post("/", body.getBytes(StandardCharsets.UTF_8))).read().status())
                        .as(body).isIn(200, 500);
            }
            awaitBuffered(0);
        }
        try (RawHttp leaving = new RawHttp(proxy.url())) {
            leaving.send(head(1000) + "{\"x\": ");
            awaitBuffered(1000);
        }
        awaitBuffered(0);
        try (RawHttp slow = new RawHttp(proxy.url())) {
            MethodsTest.assertEe2Error(slow.send(head(1000) + "{\"x\": ").read(), "timeouts.request");
            awaitBuffered(0);
        }
        ByteArrayOutputStream pipelined = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            pipelined.writeBytes(RawHttp.post("/", ("{\"x\": \"slow " + "p".repeat(1000) + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        try (RawHttp deep = new RawHttp(proxy.url())) {
            deep.send(pipelined.toByteArray());
            while (deep.read().status() == 200) {
                // answered calls; then the refusal
            }
            assertThat(deep.endedByServer()).isTrue();
        }
        awaitBuffered(0);
        try (RawHttp gone = new RawHttp(proxy.url())) {
            gone.send(RawHttp.post("/", "{\"x\": \"slow\"}".getBytes(StandardCharsets.UTF_8)));
            await("the call to reach EE2", () -> buffered() > 0 && proxy.server().metrics().requestsInFlight() == 1);
        }
        awaitBuffered(0); // given back once EE2's answer comes, for nobody
        for (String refused : List.of("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", head(ProxyConfig.DEFAULT_LIMITS.maxBodyBytes() + 1))) {
            try (RawHttp client = new RawHttp(proxy.url())) {
                assertThat(client.send(refused).read().status()).isEqualTo(500);
            }
            awaitBuffered(0);
        }
        await("every address's entry to be gone", () -> proxy.server().bodyBudget().addresses() == 0);
    }
}
