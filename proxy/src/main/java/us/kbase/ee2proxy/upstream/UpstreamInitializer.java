package us.kbase.ee2proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import us.kbase.ee2proxy.config.ProxyConfig;

/** The pipeline of one connection to EE2: [TLS with SNI], HTTP client codec, aggregation, the response handler. */
final class UpstreamInitializer extends ChannelInitializer<Channel> {
    static final String RESPONSE_HANDLER = "response";

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
        p.addLast("http", new HttpClientCodec(8192, 65536, 8192));
        p.addLast("aggregate", new ResponseAggregator(config.limits().maxResponseBytes()));
        // Reader idle, not all idle: an idle pooled connection's last event is always the read that
        // completed its response (its request was written before), so the two fire at the same
        // time; but watching writes would turn the pool's void write promise into a real promise
        // with a listener on every request.
        p.addLast("poolIdle", new IdleStateHandler(config.upstream().poolIdleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(RESPONSE_HANDLER, new UpstreamResponseHandler(config.timeouts().response().toNanos()));
    }
}
