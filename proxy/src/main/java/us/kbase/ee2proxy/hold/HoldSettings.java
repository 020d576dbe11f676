package us.kbase.ee2proxy.hold;

import java.time.Duration;

/**
 * @param maxHeld how many calls may wait at once over all users; {@link HoldQueues#hold} turns
 *     away more
 * @param maxHeldPerUser how many calls of one (ledger) user may wait at once, so that one user
 *     cannot take every place; calls that may be KBParallel children get
 *     {@link HoldQueues#CHILD_RESERVE} more (see {@link HoldQueues#hold})
 * @param recheckEvery how often every queue is retried without a wake-up (pub/sub may lose one)
 */
public record HoldSettings(int maxHeld, int maxHeldPerUser, Duration recheckEvery) {
    public HoldSettings {
        if (maxHeld < 1) {
            throw new IllegalArgumentException("maxHeld must be at least 1: " + maxHeld);
        }
        if (maxHeldPerUser < 1) {
            throw new IllegalArgumentException("maxHeldPerUser must be at least 1: " + maxHeldPerUser);
        }
        if (recheckEvery.isNegative() || recheckEvery.isZero()) {
            throw new IllegalArgumentException("recheckEvery must be positive: " + recheckEvery);
        }
    }

    /** No bound per user beyond {@code maxHeld}. */
    public HoldSettings(int maxHeld, Duration recheckEvery) {
        this(maxHeld, maxHeld, recheckEvery);
    }
}
