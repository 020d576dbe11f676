package us.kbase.ee2proxy.frontend;

import io.netty.handler.codec.http.HttpRequest;

/**
 * A client's request head as it arrived: the request line, the header lines and the blank line, the
 * bytes Netty's decoder consumed for them ({@link HeadKeepingDecoder}), so the request for EE2 can be
 * spliced from them ({@link HeadSplice}) rather than re-written from the decoded headers.
 *
 * <p>A plain heap array of exactly the head's size, not a slice of the read buffer: a call may wait
 * at the proxy for minutes, and a slice would pin the whole pooled read buffer it came from; an
 * array is let go with its request and needs no release on any path (refusal, close, a pipelined
 * request dropped).
 *
 * @param bytes the head, from the first byte of the request line to the blank line's LF included
 * @param headers how many headers the decoder counted for it when it emitted the request (the splice
 *     falls back to the decoded headers when its own count of the lines differs)
 */
record ClientHead(byte[] bytes, int headers) {

    /** A request that came with its head kept. */
    interface Kept {
        /** The head as it arrived, or null when it was not kept (it spanned more than the limit). */
        ClientHead clientHead();
    }

    /** The head kept for {@code request}, or null (a refusal stand-in, a request built by the proxy). */
    static ClientHead of(HttpRequest request) {
        return request instanceof Kept kept ? kept.clientHead() : null;
    }
}
