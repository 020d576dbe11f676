package us.kbase.ee2proxy.hold;

import java.time.Duration;

/**
 * @param maxHeld how many calls may be held at once over all users; {@link HoldQueues#hold} refuses more
 * @param recheckEvery how often every queue is retried without a wake-up (pub/sub may lose one)
 */
public record HoldSettings(int maxHeld, Duration recheckEvery) {
    public HoldSettings {
        if (maxHeld < 1) {
            throw new IllegalArgumentException("maxHeld must be at least 1: " + maxHeld);
        }
        if (recheckEvery.isNegative() || recheckEvery.isZero()) {
            throw new IllegalArgumentException("recheckEvery must be positive: " + recheckEvery);
        }
    }
}
