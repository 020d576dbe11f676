package us.kbase.ee2proxy.frontend;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;

/**
 * The proxy's open client connections and whether it is stopping: what {@link ProxyServer}'s
 * drain and close act on. A connection is added once, when accepted, and leaves the group when it
 * closes; requests cost nothing here but one volatile read when answered.
 */
final class ClientConnections {
    /** Fired on every client connection by {@link #closeAll}: the relay answers and closes. */
    enum Closing {
        EVENT
    }

    private final ChannelGroup open = new DefaultChannelGroup("ee2proxy-clients", GlobalEventExecutor.INSTANCE);
    private volatile boolean stopping;

    void add(Channel ch) {
        open.add(ch);
    }

    /** From now on every answer closes its connection, so clients reconnect, to another replica. */
    void stopKeepingAlive() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    /**
     * Tells every connection to close ({@link Closing#EVENT}: a call still waiting for its verdict is
     * answered first) and waits at most {@code timeout} until all have. Returns whether they have.
     */
    boolean closeAll(Duration timeout) {
        stopping = true;
        ChannelGroupFuture closed = open.newCloseFuture();
        for (Channel ch : open) {
            ch.pipeline().fireUserEventTriggered(Closing.EVENT);
        }
        return closed.awaitUninterruptibly(timeout.toMillis());
    }

    Iterable<Channel> channels() {
        return open;
    }
}
