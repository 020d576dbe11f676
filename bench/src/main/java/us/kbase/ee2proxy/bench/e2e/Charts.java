package us.kbase.ee2proxy.bench.e2e;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** The two PNGs of the e2e report, each two charts side by side. */
final class Charts {
    private static final int W = 640;
    private static final int H = 420;

    private Charts() {}

    /** Requests/s and p99 per target (medians over rounds). */
    static void comparison(Path png, List<String> targets, List<Double> rps, List<Double> p99Ms) throws IOException {
        CategoryChart left = bars("Throughput (median of rounds)", "requests/s", targets, rps);
        CategoryChart right = bars("p99 latency (median of rounds)", "ms", targets, p99Ms);
        write(png, left, right);
    }

    /**
     * Scaling: requests/s and resident memory against connections, a series per number of
     * distinct users (and one for held requests, whose x is the number held).
     */
    static void scaling(Path png, Map<String, List<double[]>> rpsSeries, Map<String, List<double[]>> rssSeries)
            throws IOException {
        write(png, lines("Throughput vs connections", "requests/s", rpsSeries),
                lines("Proxy resident memory (VmRSS)", "MB", rssSeries));
    }

    private static CategoryChart bars(String title, String yTitle, List<String> x, List<Double> y) {
        CategoryChart c = new CategoryChartBuilder().width(W).height(H).title(title).yAxisTitle(yTitle).build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setXAxisLabelRotation(30);
        if (!x.isEmpty()) {
            c.addSeries(yTitle, x, y);
        }
        return c;
    }

    private static XYChart lines(String title, String yTitle, Map<String, List<double[]>> series) {
        XYChart c = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle("connections (log)")
                .yAxisTitle(yTitle).build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        series.forEach((name, points) -> {
            if (points.isEmpty()) {
                return;
            }
            double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
            double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
            c.addSeries(name, x, y);
        });
        return c;
    }

    private static void write(Path png, Chart<?, ?> left, Chart<?, ?> right) throws IOException {
        BufferedImage both = new BufferedImage(2 * W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(BitmapEncoder.getBufferedImage(left), 0, 0, null);
        g.drawImage(BitmapEncoder.getBufferedImage(right), W, 0, null);
        g.dispose();
        ImageIO.write(both, "png", png.toFile());
    }
}
