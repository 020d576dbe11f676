package us.kbase.ee2proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import us.kbase.ee2proxy.config.ProxyConfig;

/**
 * The pipeline of one connection to EE2: [TLS with SNI], the response reader (EE2's responses framed
 * as bytes, never decoded into header objects), the idle timer, the response handler. Requests are written
 * as the bytes they already are ({@link Ee2Request}).
 */
final class UpstreamInitializer extends ChannelInitializer<Channel> {
    static final String RESPONSE_HANDLER = "response";
    static final String RESPONSE_READER = "read";

    private final ProxyConfig config;
    private final SslContext tls;

    UpstreamInitializer(ProxyConfig config, SslContext tls) {
        this.config = config;
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            // Naming the host sends SNI and lets hostname verification check the certificate.
            p.addLast("tls", tls.newHandler(ch.alloc(), config.upstream().host(), config.upstream().port()));
        }
        p.addLast(RESPONSE_READER, new ResponseReader(config.limits().maxResponseBytes()));
        // Reader idle, not all idle: an idle pooled connection's last event is always the read that
        // completed its response (its request was written before), so the two fire at the same
        // time; but watching writes would turn the pool's void write promise into a real promise
        // with a listener on every request.
        p.addLast("poolIdle", new IdleStateHandler(config.upstream().poolIdleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(RESPONSE_HANDLER, new UpstreamResponseHandler(config.timeouts().response().toNanos()));
    }
}
