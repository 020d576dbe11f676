package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.testing.LoopbackConfig;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * How the proxy treats a client's TCP connection: accepted connections probe with TCP keepalive,
 * so a peer that vanished without a FIN is noticed.
 */
class ClientConnectionTest {
    private static final byte[] VER = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"9\"}"
            .getBytes(StandardCharsets.UTF_8);

    /** Idle seconds before the first probe, seconds between probes, probes. */
    private static final List<Integer> EXPECTED = List.of((int) ClientKeepAlive.IDLE.toSeconds(),
            (int) ClientKeepAlive.INTERVAL.toSeconds(), ClientKeepAlive.PROBES);

    private TestUpstream upstream;
    private ProxyServer proxy;

    @AfterEach
    void stop() {
        proxy.close();
        upstream.close();
    }

    private URI start(TestUpstream.Behaviour behaviour) throws InterruptedException {
        upstream = new TestUpstream(behaviour);
        proxy = ProxyServer.builder(LoopbackConfig.of(upstream.url())).build().start();
        return proxy.url();
    }

    @Test
    void acceptedConnectionsProbeThePeerWithTcpKeepAlive() throws Exception {
        URI url = start(TestUpstream.EE2_OK);
        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send(RawHttp.post("/", VER)).read().status()).isEqualTo(200);
            Channel accepted = proxy.clientChannels().iterator().next();

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
