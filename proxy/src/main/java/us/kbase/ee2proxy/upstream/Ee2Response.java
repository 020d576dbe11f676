package us.kbase.ee2proxy.upstream;

import io.netty.buffer.ByteBuf;

/**
 * EE2's complete response as the bytes it sent, ready to be relayed: its status line and
 * end-to-end header lines (each ending in CRLF, hop-by-hop lines already spliced out, the blank
 * line not yet written, so the relay can append its own), and the body (a slice of what was read
 * when EE2 sent a Content-Length, the de-chunked bytes otherwise). Never decoded into header
 * objects nor re-encoded: the relay sends {@link #head} and {@link #body} as they are.
 *
 * <p>Owns both buffers until {@link #release} (or until the relay writes them, which releases them).
 *
 * @param keepAlive EE2 keeps the connection open after this response (its version and
 *     {@code Connection} say so, and the body did not end at close)
 * @param lengthInHead {@link #head} still has EE2's own {@code Content-Length} line, true for
 *     {@link #body}; if not, the relay adds one
 * @param head the status line and the end-to-end header lines, each ending in CRLF, without the
 *     blank line; writable (the relay appends to it)
 */
public record Ee2Response(int status, boolean keepAlive, boolean lengthInHead, ByteBuf head, ByteBuf body) {
    public void release() {
        head.release();
        body.release();
    }
}
