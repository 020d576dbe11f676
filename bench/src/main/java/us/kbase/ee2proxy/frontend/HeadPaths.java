package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.net.URI;
import java.time.Duration;
import us.kbase.ee2proxy.config.UpstreamConfig;
import us.kbase.ee2proxy.upstream.Ee2Request;

/**
 * The two ways a client's head becomes EE2's, for benchmarks (bench/, in the frontend's package to
 * reach its package-private parts): decoding with Netty's decoder alone or with the one that keeps
 * the head, and building by re-writing the decoded headers or by splicing the kept bytes. Each
 * decoding way has its own channel; not thread-safe (one per JMH thread).
 */
public final class HeadPaths implements AutoCloseable {
    private final UpstreamRequests requests;
    private final EmbeddedChannel keeping;
    private final EmbeddedChannel plain;

    public HeadPaths(URI upstream) {
        requests = new UpstreamRequests(new UpstreamConfig(upstream, null, true, 8, Duration.ofSeconds(60)));
        keeping = new EmbeddedChannel(new HeadKeepingDecoder(config()), new BodyLimitAggregator(1 << 20));
        plain = new EmbeddedChannel(new HttpRequestDecoder(config()), new BodyLimitAggregator(1 << 20));
    }

    private static HttpDecoderConfig config() {
        return new HttpDecoderConfig().setMaxInitialLineLength(8192).setMaxHeaderSize(16384).setMaxChunkSize(65536);
    }

    /** {@code wire} (released) decoded as the proxy does now, keeping the head. */
    public FullHttpRequest decodeKeepingHead(ByteBuf wire) {
        return decode(keeping, wire);
    }

    /** {@code wire} (released) decoded as the proxy did before heads were kept. */
    public FullHttpRequest decodePlain(ByteBuf wire) {
        return decode(plain, wire);
    }

    private static FullHttpRequest decode(EmbeddedChannel channel, ByteBuf wire) {
        channel.writeInbound(wire);
        FullHttpRequest request = channel.readInbound();
        if (request == null) {
            throw new IllegalStateException("the wire bytes are not one whole request");
        }
        return request;
    }

    /** Whether {@code request} has its head kept. */
    public static boolean kept(FullHttpRequest request) {
        return ClientHead.of(request) != null;
    }

    /** The request for EE2 as the proxy builds it: spliced when the head was kept, else re-written. */
    public Ee2Request build(FullHttpRequest request, String clientIp, ByteBufAllocator alloc) {
        return requests.build(request, clientIp, alloc);
    }

    /** The head for EE2 re-written from the decoded headers, as every head was before (issue 15's first part). */
    public ByteBuf rewrite(FullHttpRequest request, String clientIp, ByteBufAllocator alloc) {
        ByteBuf head = alloc.directBuffer(512);
        requests.rewrite(head, request, requests.target(request.uri()), request.content().readableBytes(), clientIp);
        return head;
    }

    @Override
    public void close() {
        keeping.finishAndReleaseAll();
        plain.finishAndReleaseAll();
    }
}
