package us.kbase.ee2proxy.frontend;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where one client connection's relay stands, as two small enums instead of flags: the
 * {@link Phase} of the call it is answering (one at a time; pipelined requests queue behind it) and
 * what the client's sending side still brings ({@link Input}). Every change goes through
 * {@link #to(Phase)} and {@link #input(Input)}, which refuse a move the relay never makes, so a
 * wrong turn fails loudly in the tests instead of leaking a call. Pure: no Netty, one per
 * connection, touched only on its event loop.
 */
final class RelayState {

    /** The call the connection is answering, or why there is none. */
    enum Phase {
        /** No call in progress: waiting for a request, or turning to the next queued one. */
        READING(false),
        /** The gate has not given its verdict yet (auth2, the ledger, or held at the proxy). */
        DECIDING(true),
        /** A status page is being built by the proxy for the caller (never forwarded). */
        OWN_PAGE(true),
        /** Sent to EE2, or waiting for a free connection to it, until EE2's answer or failure. */
        FORWARDED(true),
        /** The answer (EE2's or the proxy's own) is being written to the client. */
        WRITING(true),
        /** No call any more and none will start: the connection closes; what still arrives is dropped. */
        CLOSING(false);

        private final boolean callInProgress;

        Phase(boolean callInProgress) {
            this.callInProgress = callInProgress;
        }

        /** A call is in progress: its request is owned, and it is answered (or dropped) before any other. */
        boolean callInProgress() {
            return callInProgress;
        }
    }

    /** The client's sending side. */
    enum Input {
        /** Requests are read and answered in turn. */
        OPEN,
        /** A request past the pipelining bound was refused: it is answered in its turn, what follows is dropped unsent. */
        REFUSING_REST,
        /** The client half-closed (or left with a FIN: the two look the same): answer what it sent, then close. */
        ENDED
    }

    private static final Map<Phase, Set<Phase>> NEXT = new EnumMap<>(Phase.class);

    static {
        // A call starts only from READING; the fast path goes straight to FORWARDED or WRITING.
        NEXT.put(Phase.READING, EnumSet.of(Phase.DECIDING, Phase.OWN_PAGE, Phase.FORWARDED, Phase.WRITING, Phase.CLOSING));
        // A verdict: forward, or answer (the gate's answer, or the call abandoned); client gone: dropped.
        NEXT.put(Phase.DECIDING, EnumSet.of(Phase.FORWARDED, Phase.WRITING, Phase.CLOSING));
        NEXT.put(Phase.OWN_PAGE, EnumSet.of(Phase.WRITING, Phase.CLOSING));
        // EE2's answer or failure, or taken back from the wait for a connection; client gone: dropped.
        NEXT.put(Phase.FORWARDED, EnumSet.of(Phase.WRITING, Phase.CLOSING));
        // Written: the next request (keep-alive) or the end (the last answer, or the write failed).
        NEXT.put(Phase.WRITING, EnumSet.of(Phase.READING, Phase.CLOSING));
        NEXT.put(Phase.CLOSING, EnumSet.of(Phase.CLOSING));
    }

    private Phase phase = Phase.READING;
    private Input input = Input.OPEN;

    Phase phase() {
        return phase;
    }

    Input input() {
        return input;
    }

    boolean is(Phase p) {
        return phase == p;
    }

    boolean callInProgress() {
        return phase.callInProgress();
    }

    /** Whether a request that arrives now is taken: not once the connection closes or the rest is refused. */
    boolean takesRequests() {
        return phase != Phase.CLOSING && input == Input.OPEN;
    }

    boolean inputEnded() {
        return input == Input.ENDED;
    }

    /** Moves to {@code next}; a move the relay never makes is a bug, thrown at once. */
    void to(Phase next) {
        if (!NEXT.get(phase).contains(next)) {
            throw new IllegalStateException("relay cannot go from " + phase + " to " + next);
        }
        phase = next;
    }

    /** Ends or narrows the input; it never opens again, and an ended input stays ended. */
    void input(Input next) {
        boolean legal = switch (next) {
            case OPEN -> false;
            case REFUSING_REST -> input == Input.OPEN;
            case ENDED -> true;
        };
        if (!legal) {
            throw new IllegalStateException("relay input cannot go from " + input + " to " + next);
        }
        input = next;
    }

    @Override
    public String toString() {
        return phase + "/" + input;
    }
}
