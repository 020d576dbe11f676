package us.kbase.ee2proxy.bench.metrics;

import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.Timer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import us.kbase.ee2proxy.metrics.IntervalTimer;

/**
 * What recording one forwarded call's EE2 answer time costs (issue 15): the Timer over a
 * LockFreeExponentiallyDecayingReservoir that {@code ProxyMetrics} used before, against {@link
 * IntervalTimer}. One thread, and two (the proxy's event loops on two cores) updating one timer,
 * the worst case: every pass-through call of one method records into the same one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TimerUpdateBenchmark {
    /** One timer of each kind, shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Timers {
        final Timer decaying = new Timer(LockFreeExponentiallyDecayingReservoir.builder().build());
        final Timer interval = new IntervalTimer();
    }

    /** Answer times between 50 µs and ~50 ms (log-uniform), so values spread over many buckets. */
    @State(Scope.Thread)
    public static class Latencies {
        final long[] nanos = new long[4096];
        int next;

        public Latencies() {
            SplittableRandom random = new SplittableRandom(15);
            for (int i = 0; i < nanos.length; i++) {
                nanos[i] = (long) (50_000 * Math.pow(1000, random.nextDouble()));
            }
        }

        long next() {
            next = (next + 1) & (nanos.length - 1);
            return nanos[next];
        }
    }

    @Benchmark
    @Threads(1)
    public void decayingReservoir(Timers t, Latencies l) {
        t.decaying.update(l.next(), TimeUnit.NANOSECONDS);
    }

    @Benchmark
    @Threads(1)
    public void intervalTimer(Timers t, Latencies l) {
        t.interval.update(l.next(), TimeUnit.NANOSECONDS);
    }

    @Benchmark
    @Threads(2)
    public void decayingReservoirTwoThreads(Timers t, Latencies l) {
        t.decaying.update(l.next(), TimeUnit.NANOSECONDS);
    }

    @Benchmark
    @Threads(2)
    public void intervalTimerTwoThreads(Timers t, Latencies l) {
        t.interval.update(l.next(), TimeUnit.NANOSECONDS);
    }

    /** The floor: picking the next value alone. */
    @Benchmark
    @Threads(1)
    public long valueOnly(Latencies l) {
        return l.next();
    }
}
