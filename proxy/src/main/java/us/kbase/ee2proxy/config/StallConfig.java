package us.kbase.ee2proxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code stall:} the live stall detector.
 *
 * @param after how long a user's slots must stay all taken by parallel apps whose children cannot
 *     start, with no child finishing, before the user is reported stalled ({@code stall.after})
 * @param every how often the detector looks ({@code stall.every})
 */
public record StallConfig(Duration after, Duration every) {
    /** Ten minutes: well past a parallel app's set-up and a child's queueing on a busy day. */
    public static final StallConfig DEFAULTS = new StallConfig(Duration.ofMinutes(10), Duration.ofSeconds(30));

    public StallConfig {
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(every, "every");
        if (after.isNegative() || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("stall.after must not be negative and stall.every must be positive");
        }
    }
}
