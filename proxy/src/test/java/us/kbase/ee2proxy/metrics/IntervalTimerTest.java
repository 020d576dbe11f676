package us.kbase.ee2proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IntervalTimerTest {
    private static final long MS = 1_000_000;

    /** A value read back is its bucket's top: at most 1% above it (two significant digits), never below. */
    private static void assertNear(double reported, long recorded) {
        assertThat(reported).isBetween((double) recorded, recorded * 1.01);
    }

    @Test
    void quantilesCountAndMaxOfKnownValues() {
        IntervalTimer timer = new IntervalTimer();
        for (long ms = 1; ms <= 1000; ms++) { // 1 ms .. 1000 ms, one each
            timer.update(ms, TimeUnit.MILLISECONDS);
        }
        Snapshot s = timer.getSnapshot();
        assertThat(timer.getCount()).isEqualTo(1000);
        assertThat(s.size()).isEqualTo(1000);
        assertNear(s.getMedian(), 500 * MS);
        assertNear(s.get75thPercentile(), 750 * MS);
        assertNear(s.get95thPercentile(), 950 * MS);
        assertNear(s.get99thPercentile(), 990 * MS);
        assertNear(s.get999thPercentile(), 999 * MS);
        assertNear(s.getMax(), 1000 * MS);
        assertThat((double) s.getMin()).isCloseTo(1 * MS, within(0.01 * MS)); // the bottom of its bucket
        assertThat(s.getMean()).isCloseTo(500.5 * MS, within(500.5 * MS * 0.01));
        assertThat(s.getValues()).hasSize(1000).isSorted();
    }

    @Test
    void negativeIsDroppedAndBeyondAnHourCountsAsAnHour() {
        IntervalTimer timer = new IntervalTimer();
        timer.update(-5, TimeUnit.MILLISECONDS);
        assertThat(timer.getCount()).isZero();
        Snapshot empty = timer.getSnapshot();
        assertThat(empty.getMax()).isZero();
        assertThat(empty.getMedian()).isZero();

        timer.update(Duration.ofHours(3));
        assertThat(timer.getCount()).isEqualTo(1);
        assertNear(timer.getSnapshot().getMax(), TimeUnit.HOURS.toNanos(1));
    }

    @Test
    void contextAndDurationRecordToo() {
        IntervalTimer timer = new IntervalTimer();
        timer.update(Duration.ofMillis(7));
        try (Timer.Context ignored = timer.time()) {
            assertThat(timer.getCount()).isEqualTo(1);
        }
        assertThat(timer.getCount()).isEqualTo(2);
        Snapshot s = timer.getSnapshot();
        assertThat(s.size()).isEqualTo(2);
        // the one from update(Duration) is 7 ms; the context's is however long its block took
        assertThat(Arrays.stream(s.getValues()).filter(v -> v >= 7 * MS && v <= 7.07 * MS)).isNotEmpty();
    }

    @Test
    void quantileOutsideZeroToOneIsRefused() {
        Snapshot s = new IntervalTimer().getSnapshot();
        assertThatThrownBy(() -> s.getValue(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.getValue(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratesAreNotKeptAndSayWhy() {
        assertThatThrownBy(() -> new IntervalTimer().getOneMinuteRate())
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("count");
    }

    @Test
    void theWindowKeepsTheLastSlotsOfReadersTime() {
        AtomicLong now = new AtomicLong();
        long minute = TimeUnit.MINUTES.toNanos(1);
        IntervalTimer timer = new IntervalTimer(Duration.ofMinutes(1), 5, now::get);
        timer.update(900, TimeUnit.MILLISECONDS);
        assertNear(timer.getSnapshot().getMax(), 900 * MS); // taken into minute 0

        now.set(2 * minute);
        timer.update(10, TimeUnit.MILLISECONDS); // into minute 2
        Snapshot both = timer.getSnapshot();
        assertThat(both.size()).isEqualTo(2);
        assertNear(both.getMax(), 900 * MS);

        now.set(4 * minute + minute / 2); // minute 4: minutes 0..4 are the window
        assertThat(timer.getSnapshot().size()).isEqualTo(2);

        now.set(5 * minute); // minute 5: minute 0 has left it, whole
        Snapshot later = timer.getSnapshot();
        assertThat(later.size()).isEqualTo(1);
        assertNear(later.getMax(), 10 * MS);

        now.set(20 * minute); // a quiet quarter of an hour: nothing left, the count stays
        assertThat(timer.getSnapshot().size()).isZero();
        assertThat(timer.getCount()).isEqualTo(2);
    }

    @Test
    void aSlotReusedForALaterMinuteStartsEmpty() {
        AtomicLong now = new AtomicLong();
        long minute = TimeUnit.MINUTES.toNanos(1);
        IntervalTimer timer = new IntervalTimer(Duration.ofMinutes(1), 2, now::get);
        timer.update(50, TimeUnit.MILLISECONDS);
        timer.getSnapshot(); // minute 0, slot 0
        now.set(2 * minute); // minute 2 lands in slot 0 again
        timer.update(3, TimeUnit.MILLISECONDS);
        Snapshot s = timer.getSnapshot();
        assertThat(s.size()).isEqualTo(1);
        assertNear(s.getMax(), 3 * MS);
    }

    @Test
    void concurrentRecordingLosesNoCount() throws Exception {
        IntervalTimer timer = new IntervalTimer();
        int threads = 4;
        int each = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long value = (t + 1) * MS;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    timer.update(value, TimeUnit.NANOSECONDS);
                }
            });
            w.start();
            writers.add(w);
        }
        // a reader scrapes while they write: every value lands in exactly one interval
        start.countDown();
        long seenInWindow = 0;
        for (int i = 0; i < 50; i++) {
            seenInWindow = timer.getSnapshot().size();
        }
        for (Thread w : writers) {
            w.join();
        }
        Snapshot s = timer.getSnapshot();
        assertThat(seenInWindow).isLessThanOrEqualTo((long) threads * each);
        assertThat(timer.getCount()).isEqualTo((long) threads * each);
        assertThat(s.size()).isEqualTo(threads * each);
        assertNear(s.getMax(), threads * MS);
        assertThat((double) s.getMin()).isCloseTo(MS, within(0.01 * MS));
        assertNear(s.getMedian(), 2 * MS); // a quarter each of 1, 2, 3, 4 ms
    }

    @Test
    void prometheusShowsTheSameNamesInSeconds() {
        ProxyMetrics m = new ProxyMetrics(new MetricRegistry());
        for (int i = 0; i < 99; i++) {
            m.upstreamLatency("check_job", 2 * MS);
        }
        m.upstreamLatency("check_job", 400 * MS);
        m.upstreamWaited(30 * MS);
        String text = new String(m.prometheusText(), StandardCharsets.UTF_8);
        assertThat(text)
                .contains("# TYPE ee2proxy_upstream_seconds_check_job summary")
                .contains("ee2proxy_upstream_seconds_check_job_count 100\n")
                .contains("ee2proxy_upstream_wait_seconds_count 1\n");
        assertNear(quantile(text, "ee2proxy_upstream_seconds_check_job", "0.5") * 1e9, 2 * MS);
        assertNear(quantile(text, "ee2proxy_upstream_seconds_check_job", "0.999") * 1e9, 400 * MS);
        assertNear(quantile(text, "ee2proxy_upstream_wait_seconds", "0.99") * 1e9, 30 * MS);
        assertThat(m.registry().timer("ee2proxy.upstream.seconds.check_job")).isInstanceOf(IntervalTimer.class);
    }

    private static double quantile(String text, String family, String q) {
        String prefix = family + "{quantile=\"" + q + "\"} ";
        return text.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " in\n" + text));
    }
}
