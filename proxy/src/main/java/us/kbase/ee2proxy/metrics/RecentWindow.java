package us.kbase.ee2proxy.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;
import org.HdrHistogram.Recorder;

/**
 * The last few minutes of a {@link Recorder}, as one histogram: a bounded window, not a decaying
 * one (every value in it weighs the same, and a value leaves it whole). Each {@link #take} moves
 * what was recorded since the one before into the slot of the time it is taken (slots of {@code
 * slot}, the newest {@code slots} kept), so the window is counted in the readers' time: with a
 * scrape every 15 s and one-minute slots, a value is in the quantiles for 4 to 5 minutes, like the
 * "last 5 minutes" of Dropwizard's decaying reservoir; with no scrape for an hour, the first one
 * after it sees the whole hour once.
 *
 * <p>Only the reader pays: one interval swap, a merge of the slots, one new histogram per take.
 * Slots are packed (sparse) histograms: a latency spreads over a few dozen of the ~3,000 buckets.
 */
final class RecentWindow {
    private static final long EMPTY = Long.MIN_VALUE;

    private final long slotNanos;
    private final LongSupplier clock;
    private final Histogram[] slots;
    /** Which slot of time each slot holds ({@code clock / slotNanos}), EMPTY before its first. */
    private final long[] slotTimes;
    /** The recorder's previous interval histogram, given back to it for the next swap. */
    private Histogram recycled;

    RecentWindow(Duration slot, int slots, LongSupplier clock) {
        if (slot.isNegative() || slot.isZero() || slots < 1) {
            throw new IllegalArgumentException("a window needs at least one slot of positive length");
        }
        this.slotNanos = slot.toNanos();
        this.clock = clock;
        this.slots = new Histogram[slots];
        this.slotTimes = new long[slots];
        for (int i = 0; i < slots; i++) {
            this.slots[i] = newSlot();
        }
        Arrays.fill(slotTimes, EMPTY);
    }

    /** Moves the values recorded since the last take into the current slot; answers the window's values. */
    synchronized Histogram take(Recorder recorder) {
        recycled = recorder.getIntervalHistogram(recycled);
        long now = Math.floorDiv(clock.getAsLong(), slotNanos);
        int i = (int) Math.floorMod(now, (long) slots.length);
        if (slotTimes[i] != now) {
            slots[i].reset();
            slotTimes[i] = now;
        }
        slots[i].add(recycled);
        Histogram window = new Histogram(IntervalTimer.LOWEST_NANOS, IntervalTimer.HIGHEST_NANOS, IntervalTimer.DIGITS);
        for (int k = 0; k < slots.length; k++) {
            if (slotTimes[k] != EMPTY && now - slotTimes[k] < slots.length) {
                window.add(slots[k]);
            }
        }
        return window;
    }

    private static Histogram newSlot() {
        return new PackedHistogram(IntervalTimer.LOWEST_NANOS, IntervalTimer.HIGHEST_NANOS, IntervalTimer.DIGITS);
    }
}
