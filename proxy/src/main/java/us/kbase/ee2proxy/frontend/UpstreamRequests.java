package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import us.kbase.ee2proxy.config.UpstreamConfig;
import us.kbase.ee2proxy.upstream.Ee2Request;

/**
 * Turns a client's request into the bytes EE2 receives: the same method and body bytes (a
 * shared buffer, never copied or re-serialized), the client's headers minus hop-by-hop ones,
 * {@code Host} set to EE2's, {@code Content-Length} always set (EE2 reads exactly that many bytes,
 * so a chunked body must arrive with one), and the client's address appended to
 * {@code X-Forwarded-For}.
 *
 * <p>The client's header lines go to EE2 as the bytes they arrived as (kept by
 * {@link HeadKeepingDecoder}, spliced by {@link HeadSplice}): their order, case and spacing, with
 * only the lines above edited. A head that is not plain (folded lines, and the like) or was not kept
 * is re-written from the decoded headers instead ({@link #rewrite}), as every head was before.
 */
final class UpstreamRequests {
    static final String X_FORWARDED_FOR = "X-Forwarded-For";

    private final String hostHeader;
    private final String pathPrefix;

    UpstreamRequests(UpstreamConfig upstream) {
        this.hostHeader = upstream.hostHeader();
        this.pathPrefix = upstream.pathPrefix();
    }

    /**
     * The request for EE2, as bytes, sharing {@code client}'s body (retained); the caller still owns
     * {@code client}. The head is spliced from the client's own head bytes when the decoder kept
     * them and they are plain ({@link HeadSplice}); otherwise it is re-written from the decoded
     * headers ({@link #rewrite}). Either way no header objects are built and no request encoder runs.
     *
     * @param clientIp the client's address as text ({@link #clientIp(SocketAddress)}, computed once per connection)
     */
    Ee2Request build(FullHttpRequest client, String clientIp, ByteBufAllocator alloc) {
        String target = target(client.uri());
        int bodyLength = client.content().readableBytes();
        ClientHead kept = ClientHead.of(client);
        ByteBuf head;
        if (kept != null) {
            head = alloc.directBuffer(kept.bytes().length + hostHeader.length() + target.length() + 64);
            if (!HeadSplice.write(head, kept, client, target, hostHeader, bodyLength, clientIp)) {
                rewrite(head, client, target, bodyLength, clientIp);
            }
        } else {
            head = alloc.directBuffer(512);
            rewrite(head, client, target, bodyLength, clientIp);
        }
        return new Ee2Request(client.method(), head, client.content().retainedDuplicate());
    }

    /**
     * The head re-written from the decoded headers, in their order: the way for a request whose head
     * was not kept or is not plain (folded lines, and the like). Names and values are written as the
     * decoder read them, so the bytes differ from the client's only in spacing and folding.
     */
    void rewrite(ByteBuf head, HttpRequest client, String target, int bodyLength, String clientIp) {
        HttpHeaders in = client.headers();
        head.writeCharSequence(client.method().asciiName(), StandardCharsets.ISO_8859_1);
        head.writeByte(' ');
        head.writeCharSequence(target, StandardCharsets.ISO_8859_1);
        head.writeCharSequence(" HTTP/1.1\r\n", StandardCharsets.ISO_8859_1);
        HeaderLines.line(head, HttpHeaderNames.HOST, hostHeader);
        List<String> connection = in.contains(HttpHeaderNames.CONNECTION) ? in.getAll(HttpHeaderNames.CONNECTION) : List.of();
        String forwardedFor = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> h = it.next();
            CharSequence name = h.getKey();
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
                    || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                    || HttpHeaderNames.EXPECT.contentEqualsIgnoreCase(name)
                    || HopByHopHeaders.isHopByHop(name, connection)) {
                continue;
            }
            if (AsciiString.contentEqualsIgnoreCase(X_FORWARDED_FOR, name)) {
                forwardedFor = forwardedFor == null ? h.getValue().toString() : forwardedFor + ", " + h.getValue();
                continue;
            }
            HeaderLines.line(head, name, h.getValue());
        }
        HeaderLines.line(head, HttpHeaderNames.CONTENT_LENGTH, Integer.toString(bodyLength));
        HeaderLines.line(head, X_FORWARDED_FOR, forwardedFor == null ? clientIp : forwardedFor + ", " + clientIp);
        HeaderLines.end(head);
    }

    /**
     * EE2 ignores the path, so the client's own request target goes through unchanged unless the
     * upstream URL has a path (e.g. {@code /services/ee2} behind KBase's front door): then that path,
     * with the client's query, replaces it, so a client pointed at {@code /services/ee2} never
     * reaches {@code /services/ee2/services/ee2}.
     */
    String target(String uri) {
        String path = uri;
        if (!uri.startsWith("/")) {
            // absolute-form ("http://host/path") or "*": keep only path and query
            int scheme = uri.indexOf("://");
            int slash = scheme < 0 ? -1 : uri.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : uri.substring(slash);
        }
        if (pathPrefix.isEmpty()) {
            return path;
        }
        int query = path.indexOf('?');
        return query < 0 ? pathPrefix : pathPrefix + path.substring(query);
    }

    static String clientIp(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return "unknown";
    }
}
