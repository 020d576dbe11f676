package us.kbase.ee2proxy.metrics;

import com.codahale.metrics.SlidingWindowReservoir;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Recorder;

/**
 * A Dropwizard {@link Timer} for the hot path (every forwarded call records one): recording is one
 * write into an HdrHistogram {@link Recorder} (wait-free: an atomic increment of a bucket and of
 * its phaser) and one {@link LongAdder} add; no lock, no allocation, no clock read. The Timer it
 * replaces fed a {@code LockFreeExponentiallyDecayingReservoir} (a skip-list insert, an exp() and
 * a random number per call, plus the Timer's Meter: 5.4% of the proxy's CPU on pass-through).
 *
 * <p>What a reader sees is what {@code /metrics} exports for a Timer through the Prometheus bridge:
 * {@link #getCount()}, every value ever recorded, and {@link #getSnapshot()}, the quantiles of the
 * last few minutes ({@link RecentWindow}: the values recorded between scrapes, kept in slots of
 * one minute, the newest five). Values are kept to two significant digits (a quantile is at most
 * 1% above the recorded value: the top of its bucket), from 1 µs to 1 hour (a longer one counts as
 * 1 hour). The moving rates of a Dropwizard Timer are not kept: nothing reads them (the bridge
 * exports quantiles and count), and a rate of 0 would be a lie, so they throw.
 */
public final class IntervalTimer extends Timer {
    /** Resolution at the low end: calls through the proxy take tens of µs at the least. */
    static final long LOWEST_NANOS = 1_000;
    static final long HIGHEST_NANOS = TimeUnit.HOURS.toNanos(1);
    static final int DIGITS = 2;
    static final Duration SLOT = Duration.ofMinutes(1);
    static final int SLOTS = 5;

    private final Recorder recorder = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
    private final LongAdder count = new LongAdder();
    private final RecentWindow window;

    public IntervalTimer() {
        this(SLOT, SLOTS, System::nanoTime);
    }

    /** @param clock nanoseconds, read at each snapshot only (to place it in its slot) */
    IntervalTimer(Duration slot, int slots, LongSupplier clock) {
        // The superclass's own reservoir and meter are never fed: the smallest there is.
        super(new SlidingWindowReservoir(1));
        this.window = new RecentWindow(slot, slots, clock);
    }

    @Override
    public void update(long duration, TimeUnit unit) {
        record(unit.toNanos(duration));
    }

    @Override
    public void update(Duration duration) {
        record(duration.toNanos());
    }

    private void record(long nanos) {
        if (nanos < 0) {
            return; // as Dropwizard's Timer: a negative duration is dropped, not counted
        }
        recorder.recordValue(Math.min(nanos, HIGHEST_NANOS));
        count.increment();
    }

    /** Every value recorded since the start (the Prometheus summary's {@code _count}). */
    @Override
    public long getCount() {
        return count.sum();
    }

    /** The values of the last few minutes; takes what was recorded since the last call into the window. */
    @Override
    public Snapshot getSnapshot() {
        return new HdrSnapshot(window.take(recorder));
    }

    @Override
    public double getMeanRate() {
        throw noRates();
    }

    @Override
    public double getOneMinuteRate() {
        throw noRates();
    }

    @Override
    public double getFiveMinuteRate() {
        throw noRates();
    }

    @Override
    public double getFifteenMinuteRate() {
        throw noRates();
    }

    private static UnsupportedOperationException noRates() {
        return new UnsupportedOperationException(
                "IntervalTimer keeps no rates (they would cost every call a clock read): use the count");
    }
}
