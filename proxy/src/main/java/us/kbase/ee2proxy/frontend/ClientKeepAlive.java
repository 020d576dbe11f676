package us.kbase.ee2proxy.frontend;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import jdk.net.ExtendedSocketOptions;

/**
 * TCP keepalive on accepted client connections, so that a client that vanished without a FIN
 * (its host crashed or lost the network, a NAT or firewall forgot the flow) is noticed. A held
 * call's connection carries nothing for minutes; without probes it would stay open, its call held,
 * until the hold ends, and a call admitted then would be sent to EE2 for nobody. Linux's defaults
 * (first probe after 2 hours) are far too late; these notice a dead peer within about two minutes
 * of its last packet (IDLE + INTERVAL x PROBES), for one empty segment a minute on a quiet
 * connection, which also keeps NAT entries alive through a long hold. The kernel probes: nothing
 * happens per request. A dead peer's connection then fails like a reset: the hold is dropped.
 */
final class ClientKeepAlive {
    static final Duration IDLE = Duration.ofSeconds(60);
    static final Duration INTERVAL = Duration.ofSeconds(15);
    static final int PROBES = 4;

    private ClientKeepAlive() {}

    static ServerBootstrap apply(ServerBootstrap b, Transport transport) {
        b.childOption(ChannelOption.SO_KEEPALIVE, true);
        int idle = (int) IDLE.toSeconds();
        int interval = (int) INTERVAL.toSeconds();
        if (transport.serverChannel() == EpollServerSocketChannel.class) {
            return b.childOption(EpollChannelOption.TCP_KEEPIDLE, idle)
                    .childOption(EpollChannelOption.TCP_KEEPINTVL, interval)
                    .childOption(EpollChannelOption.TCP_KEEPCNT, PROBES);
        }
        if (NioTuning.SUPPORTED) {
            return b.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idle)
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), interval)
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), PROBES);
        }
        return b; // the operating system's keepalive timers
    }

    /** Whether the JDK can set the timers on this platform (Linux and macOS can), asked once. */
    private static final class NioTuning {
        static final boolean SUPPORTED = supported();

        private static boolean supported() {
            try (SocketChannel probe = SocketChannel.open()) {
                return probe.supportedOptions().containsAll(List.of(ExtendedSocketOptions.TCP_KEEPIDLE,
                        ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT));
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
    }
}
