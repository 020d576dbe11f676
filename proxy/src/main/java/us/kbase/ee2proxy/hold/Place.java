package us.kbase.ee2proxy.hold;

import java.util.Optional;

/** Where {@link HoldQueues#hold} put a call: waiting in its user's queue, or nowhere (no room). */
public sealed interface Place {

    /** The call waits. */
    record Waiting(HeldCall call) implements Place {}

    /** No room: {@code max} calls already wait, over {@code bound}. */
    record Full(Bound bound, int max) implements Place {}

    /** Which limit left no room. */
    enum Bound {
        /** {@code admission.maxHeld}, over all users. */
        ALL_USERS,
        /** {@code admission.maxHeldPerUser}, for the call's user. */
        THIS_USER
    }

    /** The waiting call, if it waits. */
    default Optional<HeldCall> waiting() {
        return this instanceof Waiting w ? Optional.of(w.call()) : Optional.empty();
    }
}
