package us.kbase.ee2proxy.status;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Events in the last 60 seconds, counted in one bucket per second: exact from the first second
 * (an exponentially weighted rate shows 0 for its first ticks), lock-free, fixed size.
 */
final class MinuteCount {
    private static final int SECONDS = 60;
    private final AtomicLongArray counts = new AtomicLongArray(SECONDS);
    /** The second each bucket counts; a bucket of an older second is reset before it counts again. */
    private final AtomicLongArray seconds = new AtomicLongArray(SECONDS);
    private final LongSupplier nowSeconds;

    MinuteCount(LongSupplier nowSeconds) {
        this.nowSeconds = nowSeconds;
    }

    void mark() {
        long now = nowSeconds.getAsLong();
        int i = (int) Math.floorMod(now, (long) SECONDS);
        long was = seconds.get(i);
        if (was != now && seconds.compareAndSet(i, was, now)) {
            counts.set(i, 0); // a mark racing this reset may be lost: a display figure, not a metric
        }
        counts.incrementAndGet(i);
    }

    long lastMinute() {
        long now = nowSeconds.getAsLong();
        long sum = 0;
        for (int i = 0; i < SECONDS; i++) {
            if (now - seconds.get(i) < SECONDS) {
                sum += counts.get(i);
            }
        }
        return sum;
    }
}
