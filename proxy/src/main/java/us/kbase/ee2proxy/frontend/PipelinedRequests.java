package us.kbase.ee2proxy.frontend;

import io.netty.handler.codec.http.FullHttpRequest;
import java.util.ArrayDeque;

/**
 * The requests a client sent ahead of their answers, waiting in order behind the call being
 * answered. One read can bring many requests (the codec decodes every request in the bytes it got),
 * so at most {@code limits.maxPipelinedRequests} may be unanswered at once, the one being answered
 * included; the next is refused in its turn ({@link #queue}). Each queued request owns its body and
 * its share of the connection's body budget until it is taken or let go.
 */
final class PipelinedRequests {
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(2);
    private final int max;
    private final BodyBudget.Account bodies;

    PipelinedRequests(int max, BodyBudget.Account bodies) {
        this.max = max;
        this.bodies = bodies;
    }

    /**
     * Queues {@code request} behind the call being answered, or, when it is one more than the client
     * may send ahead of its answers, queues an EE2-shaped refusal in its place and lets it go.
     *
     * @return false when it was refused: neither it nor anything after it may be sent to EE2
     */
    boolean queue(FullHttpRequest request) {
        if (waiting.size() + 1 < max) { // the one being answered, those queued, and this one
            waiting.addLast(request);
            return true;
        }
        waiting.addLast(new Refusal(Refusal.Kind.PIPELINE_TOO_DEEP, String.valueOf(max)).standIn(request));
        discard(request);
        return false;
    }

    /** The next request to answer, or null. */
    FullHttpRequest next() {
        return waiting.poll();
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** Lets go of a request that will not be answered. */
    void discard(FullHttpRequest request) {
        bodies.released(request);
        request.release();
    }

    /** The connection closed: none of them will be answered. */
    void discardAll() {
        FullHttpRequest queued;
        while ((queued = waiting.poll()) != null) {
            discard(queued);
        }
    }
}
