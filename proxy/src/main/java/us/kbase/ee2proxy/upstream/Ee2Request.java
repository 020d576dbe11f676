package us.kbase.ee2proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;

/**
 * A request for EE2 as the bytes to send: its head (request line, headers, the blank line) and its
 * body (a share of the client's body buffer, never copied). Written to the connection as it is, no
 * request encoder in between. Owns both buffers until sent or {@link #release}d.
 *
 * @param method the request's method, so its response is read right (a HEAD's answer has no body)
 */
public record Ee2Request(HttpMethod method, ByteBuf head, ByteBuf body) {
    public void release() {
        head.release();
        body.release();
    }
}
