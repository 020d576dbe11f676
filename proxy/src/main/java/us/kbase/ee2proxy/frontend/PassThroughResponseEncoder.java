package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Encodes the proxy's own answers (EE2-shaped errors, status pages, 100 Continue) and lets the bytes
 * of EE2's answers ({@link AnswerWriter#write(us.kbase.ee2proxy.upstream.Ee2Response, String)})
 * through untouched: those are already HTTP, and encoding them again is what cost the most.
 *
 * <p>A plain response encoder, not Netty's server codec: the codec's encoder matches each response
 * to a request method it queued on decoding, and bytes written past it would leave that queue out
 * of step. The proxy never forwards HEAD or CONNECT (Route), so the method is not needed: its own
 * answers to a HEAD already carry no body (AnswerWriter).
 */
final class PassThroughResponseEncoder extends HttpResponseEncoder {
    @Override
    public boolean acceptOutboundMessage(Object msg) throws Exception {
        return !(msg instanceof ByteBuf) && super.acceptOutboundMessage(msg);
    }
}
