package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * How the proxy treats a client's TCP connection: a client that half-closes (shutdown(SHUT_WR))
 * after its requests still gets every answer, then the connection closes; accepted connections
 * probe with TCP keepalive, so a peer that vanished without a FIN is noticed.
 */
class ClientConnectionTest {
    private static final byte[] VER = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"9\"}"
            .getBytes(StandardCharsets.UTF_8);

    /** Idle seconds before the first probe, seconds between probes, probes. */
    private static final List<Integer> EXPECTED = List.of((int) ClientKeepAlive.IDLE.toSeconds(),
            (int) ClientKeepAlive.INTERVAL.toSeconds(), ClientKeepAlive.PROBES);

    @RegisterExtension
    final ProxyExtension proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK).build();

    private URI start(TestUpstream.Behaviour behaviour) {
        proxy.upstream().behave(behaviour);
        return proxy.url();
    }

    private static TestUpstream.Behaviour slow(long millis) {
        return (ctx, req) -> ctx.executor().schedule(() -> TestUpstream.EE2_OK.answer(ctx, req), millis, TimeUnit.MILLISECONDS);
    }

    @Test
    void aClientThatHalfClosesWhileEe2AnswersGetsTheAnswerThenTheConnectionCloses() throws Exception {
        URI url = start(slow(500));
        try (RawHttp client = new RawHttp(url)) {
            client.send(RawHttp.post("/", VER));
            proxy.upstream().next();
            client.halfClose();

            assertThat(client.read().status()).isEqualTo(200);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void pipelinedRequestsSentBeforeAHalfCloseAreAllAnsweredInOrder() throws Exception {
        URI url = start(slow(100));
        try (RawHttp client = new RawHttp(url)) {
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.write(RawHttp.post("/", VER));
            both.write(RawHttp.post("/", VER));
            client.send(both.toByteArray());
            client.halfClose();

            assertThat(client.read().status()).isEqualTo(200);
            assertThat(client.read().status()).isEqualTo(200);
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(proxy.upstream().connections()).isPositive();
    }

    @Test
    void aHalfCloseBetweenRequestsClosesTheConnectionAtOnce() throws Exception {
        URI url = start(TestUpstream.EE2_OK);
        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send(RawHttp.post("/", VER)).read().status()).isEqualTo(200);
            long start = System.nanoTime();
            client.halfClose();

            assertThat(client.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        await("the proxy counts no open connection", () -> proxy.server().metrics().openConnections() == 0);
    }

    @Test
    void acceptedConnectionsProbeThePeerWithTcpKeepAlive() throws Exception {
        URI url = start(TestUpstream.EE2_OK);
        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send(RawHttp.post("/", VER)).read().status()).isEqualTo(200);
            Channel accepted = proxy.server().clientChannels().iterator().next();

            assertThat(accepted.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            if (accepted instanceof EpollSocketChannel) {
                assertThat(List.of(accepted.config().getOption(EpollChannelOption.TCP_KEEPIDLE),
                        accepted.config().getOption(EpollChannelOption.TCP_KEEPINTVL),
                        accepted.config().getOption(EpollChannelOption.TCP_KEEPCNT))).isEqualTo(EXPECTED);
            } else {
                assertThat(List.of(accepted.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE)),
                        accepted.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL)),
                        accepted.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT))))
                        .isEqualTo(EXPECTED);
            }
        }
    }
}
