package us.kbase.ee2proxy.bench.ledger;

import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Snapshot;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Every sample of a timer (nanoseconds) in an HdrHistogram, from the last {@link #restart}: the
 * benchmarks read exact percentiles of the ledger step, p99.9 included, over one measured phase.
 * Its Dropwizard snapshot answers from the same histogram (the samples themselves are not kept).
 */
final class LedgerStepReservoir implements Reservoir {
    private final Recorder recorder = new Recorder(3);
    private Histogram sinceRestart = new Histogram(3);

    @Override
    public int size() {
        return (int) Math.min(Integer.MAX_VALUE, histogram().getTotalCount());
    }

    @Override
    public void update(long nanos) {
        recorder.recordValue(Math.max(1, nanos));
    }

    /** Forgets what was recorded so far (the warm-up). */
    synchronized void restart() {
        recorder.getIntervalHistogram();
        sinceRestart = new Histogram(3);
    }

    /** A copy of what was recorded since {@link #restart}, in nanoseconds. */
    synchronized Histogram histogram() {
        sinceRestart.add(recorder.getIntervalHistogram());
        return sinceRestart.copy();
    }

    @Override
    public Snapshot getSnapshot() {
        Histogram h = histogram();
        return new Snapshot() {
            @Override
            public double getValue(double quantile) {
                return h.getValueAtPercentile(quantile * 100);
            }

            @Override
            public long[] getValues() {
                return new long[0]; // the samples are not kept, only their distribution
            }

            @Override
            public int size() {
                return (int) Math.min(Integer.MAX_VALUE, h.getTotalCount());
            }

            @Override
            public long getMax() {
                return h.getMaxValue();
            }

            @Override
            public double getMean() {
                return h.getMean();
            }

            @Override
            public long getMin() {
                return h.getMinValue();
            }

            @Override
            public double getStdDev() {
                return h.getStdDeviation();
            }

            @Override
            public void dump(OutputStream output) {
                h.outputPercentileDistribution(new PrintStream(output, true, StandardCharsets.UTF_8), 1.0);
            }
        };
    }
}
