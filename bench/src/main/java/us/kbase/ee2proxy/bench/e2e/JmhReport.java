package us.kbase.ee2proxy.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JMH suite's JSON results ({@code -rf json}) as one markdown table: benchmark, parameters,
 * mode, score with its error, and for sample-time runs p50 / p99 / p99.9.
 *
 * <pre>java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.e2e.JmhReport jmh.json jmh.md</pre>
 */
public final class JmhReport {
    private JmhReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: JmhReport RESULTS.json OUT.md");
            System.exit(2);
        }
        JsonNode results = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        StringBuilder md = new StringBuilder();
        md.append("| benchmark | parameters | threads | mode | score | ± error | unit | p50 | p99 | p99.9 |\n");
        md.append("|---|---|---:|---|---:|---:|---|---:|---:|---:|\n");
        for (JsonNode r : results) {
            String name = r.path("benchmark").asText();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            List<String> params = new ArrayList<>();
            r.path("params").fields().forEachRemaining(p -> params.add(p.getKey() + "=" + p.getValue().asText()));
            JsonNode m = r.path("primaryMetric");
            JsonNode pct = m.path("scorePercentiles");
            boolean sampled = r.path("mode").asText().equals("sample");
            md.append("| ").append(name).append(" | ").append(String.join(", ", params)).append(" | ")
                    .append(r.path("threads").asInt()).append(" | ").append(r.path("mode").asText()).append(" | ")
                    .append(num(m.path("score").asDouble())).append(" | ").append(num(m.path("scoreError").asDouble()))
                    .append(" | ").append(m.path("scoreUnit").asText()).append(" | ")
                    .append(sampled ? num(pct.path("50.0").asDouble()) : "").append(" | ")
                    .append(sampled ? num(pct.path("99.0").asDouble()) : "").append(" | ")
                    .append(sampled ? num(pct.path("99.9").asDouble()) : "").append(" |\n");
        }
        Files.writeString(Path.of(args[1]), md.toString());
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : v >= 1 ? "%.2f" : "%.4f", v);
    }
}
