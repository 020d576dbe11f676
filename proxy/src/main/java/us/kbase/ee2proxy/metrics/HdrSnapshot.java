package us.kbase.ee2proxy.metrics;

import com.codahale.metrics.Snapshot;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A Dropwizard {@link Snapshot} over an HdrHistogram (owned by the snapshot: nothing writes it
 * after). A quantile is the top of the bucket it falls in (within the histogram's precision above
 * the value recorded), as HdrHistogram reports it; an empty one reports 0.
 */
final class HdrSnapshot extends Snapshot {
    private final Histogram values;

    HdrSnapshot(Histogram values) {
        this.values = values;
    }

    @Override
    public double getValue(double quantile) {
        if (Double.isNaN(quantile) || quantile < 0.0 || quantile > 1.0) {
            throw new IllegalArgumentException(quantile + " is not in [0..1]");
        }
        return values.getTotalCount() == 0 ? 0 : values.getValueAtPercentile(quantile * 100.0);
    }

    /**
     * Every value of the window, ascending, each as its bucket's value. Its size is the number of
     * values (millions in a busy window): for reporters that dump samples; {@code /metrics} does not
     * call it.
     */
    @Override
    public long[] getValues() {
        long[] all = new long[size()];
        int at = 0;
        for (HistogramIterationValue v : values.recordedValues()) {
            long value = values.highestEquivalentValue(v.getValueIteratedTo());
            for (long n = 0; n < v.getCountAtValueIteratedTo() && at < all.length; n++) {
                all[at++] = value;
            }
        }
        return all;
    }

    @Override
    public int size() {
        return (int) Math.min(Integer.MAX_VALUE, values.getTotalCount());
    }

    @Override
    public long getMax() {
        return values.getTotalCount() == 0 ? 0 : values.getMaxValue();
    }

    @Override
    public double getMean() {
        return values.getTotalCount() == 0 ? 0 : values.getMean();
    }

    @Override
    public long getMin() {
        return values.getTotalCount() == 0 ? 0 : values.getMinValue();
    }

    @Override
    public double getStdDev() {
        return values.getTotalCount() == 0 ? 0 : values.getStdDeviation();
    }

    @Override
    public void dump(OutputStream output) {
        try (PrintWriter out = new PrintWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8))) {
            for (long value : getValues()) {
                out.printf("%d%n", value);
            }
        }
    }
}
