package us.kbase.ee2proxy.bench.ledger;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import us.kbase.ee2proxy.ledger.RedisLedgerSettings;
import us.kbase.ee2proxy.ledger.RedisSlotLedger;
import us.kbase.ee2proxy.redis.RedisServerProcess;

/**
 * The shared ledger against a real redis-server on loopback (started here, stopped at the end):
 * a parent lease taken and released, two EVALSHAs, by 1, 16 and 64 concurrent callers. Callers
 * are JMH threads ({@code @Threads}), each waiting for its own answers, so exactly that many
 * requests are in flight through Redisson's connection pool. Throughput is all callers' round
 * trips per second; the sample-time mode gives each round trip's latency percentiles.
 *
 * <p>The call timeout is raised from the production 50 ms to 2 s: on a shared 2-core machine a
 * descheduled caller would otherwise fail the run instead of showing up in the p99.9.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RedisLedgerBenchmark {
    private RedisServerProcess redis;
    private RedisSlotLedger ledger;

    @Setup
    public void setUp() {
        redis = RedisServerProcess.start();
        ledger = RedisSlotLedger.connect(redis.uri(),
                RedisLedgerSettings.DEFAULT.withCallTimeout(Duration.ofSeconds(2)), new MetricRegistry());
    }

    @TearDown
    public void tearDown() {
        ledger.close();
        redis.close();
    }

    @Benchmark
    @Threads(1)
    public void acquireRelease_1caller(LedgerCaller caller) {
        caller.acquireRelease(ledger);
    }

    @Benchmark
    @Threads(16)
    public void acquireRelease_16callers(LedgerCaller caller) {
        caller.acquireRelease(ledger);
    }

    @Benchmark
    @Threads(64)
    public void acquireRelease_64callers(LedgerCaller caller) {
        caller.acquireRelease(ledger);
    }
}
