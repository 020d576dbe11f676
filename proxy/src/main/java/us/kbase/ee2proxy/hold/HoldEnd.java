package us.kbase.ee2proxy.hold;

/** How a hold ended (a dropped hold is cancelled instead). */
public enum HoldEnd {
    /** A release made room: the demand was taken under the call's ticket; forward it. */
    ADMITTED,
    /** The hold's time is up with the demand still not fitting: decide again with the total wait. */
    EXPIRED,
    /**
     * The proxy is stopping ({@link HoldQueues#stopHolding()}): nothing was taken; answer the call so
     * its client submits it again, to another replica or to this one restarted.
     */
    STOPPED,
    /**
     * An operator refused it, or its owner cancelled it ({@link HoldQueues#refuse}): nothing was
     * taken; answer it with {@link HeldCall#refusal()}.
     */
    REFUSED
}
