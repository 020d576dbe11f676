package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * A request must arrive whole within timeouts.request (issue 16, item 11): a client sending one
 * byte every few seconds kept its connection, and its buffered body, for as long as it liked. Here
 * the deadline is 1 s and the slow client would take a minute.
 */
class RequestDeadlineTest {
    private static final byte[] VER = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"9\"}"
            .getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final ProxyExtension proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK)
            .config(config -> config.withTimeouts(config.timeouts().withRequest(Duration.ofSeconds(1)))).build();
    private Thread dripper;

    @AfterEach
    void stop() throws InterruptedException {
        if (dripper != null) {
            dripper.interrupt();
            dripper.join();
        }
    }

    private void start(TestUpstream.Behaviour behaviour) {
        proxy.upstream().behave(behaviour);
    }

    /** Sends {@code count} bytes of {@code b}, one every 200 ms, from another thread, until told to stop or the connection fails. */
    private void drip(RawHttp client, char b, int count) {
        dripper = new Thread(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    Thread.sleep(200);
                    client.send(String.valueOf(b));
                }
            } catch (IOException | InterruptedException e) {
                // the proxy closed the connection, or the test ended
            }
        });
        dripper.start();
    }

    private void assertTimedOutAndClosed(RawHttp client) throws IOException {
        RawHttp.Response r = client.read();
        MethodsTest.assertEe2Error(r, "did not arrive whole within 1 second", "timeouts.request",
                "The request was not sent to Execution Engine 2");
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(client.endedByServer()).isTrue();
    }

    @Test
    void aBodySentAByteAtATimeIsCutAtTheRequestDeadline() throws Exception {
        start(TestUpstream.EE2_OK);
        try (RawHttp client = new RawHttp(proxy.url())) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 300\r\n\r\n{");
            drip(client, ' ', 299); // a minute's worth
            assertTimedOutAndClosed(client);
        }
        assertThat(proxy.upstream().poll(300)).isNull();
        assertThat(proxy.server().metrics().registry().counter("ee2proxy.errors.request_timeout").getCount()).isEqualTo(1);
    }

    @Test
    void headersSentAByteAtATimeAreCutAtTheRequestDeadline() throws Exception {
        start(TestUpstream.EE2_OK);
        try (RawHttp client = new RawHttp(proxy.url())) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            drip(client, 'a', 300);
            assertTimedOutAndClosed(client);
        }
        assertThat(proxy.upstream().poll(300)).isNull();
    }

    /** Not a regression: the deadline starts at a request's first byte, never on an idle keep-alive connection. */
    @Test
    void anIdleKeepAliveConnectionOutlivesTheRequestDeadline() throws Exception {
        start(TestUpstream.EE2_OK);
        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send(RawHttp.post("/", VER)).read().status()).isEqualTo(200);
            Thread.sleep(2500);
            assertThat(client.send(RawHttp.post("/", VER)).read().status()).isEqualTo(200);
        }
    }

    /**
     * The proxy reads a connection's next request only once the previous one is answered: a
     * pipelined request is timed from then, not from bytes that waited while EE2 took 3 s (three
     * deadlines) to answer the first call.
     */
    @Test
    void aPipelinedRequestIsTimedOnlyFromWhenTheProxyTurnsToIt() throws Exception {
        start((ctx, req) -> ctx.executor().schedule(() -> TestUpstream.EE2_OK.answer(ctx, req), 3, TimeUnit.SECONDS));
        byte[] second = RawHttp.post("/", VER);
        int half = second.length - VER.length / 2;
        try (RawHttp client = new RawHttp(proxy.url())) {
            client.send(RawHttp.post("/", VER)).send(Arrays.copyOf(second, half));
            assertThat(client.read().status()).isEqualTo(200);
            client.send(Arrays.copyOfRange(second, half, second.length));
            assertThat(client.read().status()).isEqualTo(200);
        }
        assertThat(proxy.upstream().next().bodyText()).isEqualTo(new String(VER, StandardCharsets.UTF_8));
        assertThat(proxy.upstream().next().bodyText()).isEqualTo(new String(VER, StandardCharsets.UTF_8));
    }
}
