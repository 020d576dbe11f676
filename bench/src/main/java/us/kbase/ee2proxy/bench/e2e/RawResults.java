package us.kbase.ee2proxy.bench.e2e;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The tab-separated files bench/run-e2e writes under bench/results/raw, read back as rows. */
record RawResults(Path dir, List<Run> runs, List<Step> steps, Properties machine) {

    /**
     * What our proxy's ledger did during one run: the differences of its counters (run-e2e's
     * ledger_counts) between just before and just after. NaN where not read (other targets, no
     * admission path, /metrics did not answer, or a run-e2e older than these columns).
     */
    record Ledger(double decisions, double fallback, double unavailable, double redisErrors) {
        static final Ledger UNKNOWN = new Ledger(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        boolean known() {
            return !Double.isNaN(decisions);
        }

        /** Decisions Redis took: every one asked that was not turned to the fallback. */
        double byRedis() {
            return decisions - fallback;
        }

        Ledger plus(Ledger o) {
            return new Ledger(decisions + o.decisions, fallback + o.fallback, unavailable + o.unavailable,
                    redisErrors + o.redisErrors);
        }

        Ledger minus(Ledger o) {
            return new Ledger(decisions - o.decisions, fallback - o.fallback, unavailable - o.unavailable,
                    redisErrors - o.redisErrors);
        }

        static Ledger of(Map<String, String> row) {
            return new Ledger(num(row, "ledger_decisions"), num(row, "ledger_fallback"), num(row, "ledger_unavailable"),
                    num(row, "redis_errors"));
        }
    }

    /** One wrk run of the comparison. Numbers are NaN where the run did not happen. */
    record Run(int round, String target, String path, double rps, double p50Us, double p99Us, double p999Us,
               long requests, long errors, double cpuPer10k, Ledger ledger) {
        boolean measured() {
            return !Double.isNaN(rps);
        }
    }

    /** One scaling step: distinct users x connections, or held requests. */
    record Step(String kind, String path, int users, int connections, int held, double rps, double p50Us,
                double p99Us, double p999Us, long errors, double rssKb, double hwmKb, long http500, Ledger ledger) {
        boolean measured() {
            return !Double.isNaN(rps);
        }
    }

    static RawResults read(Path dir) throws IOException {
        List<Run> runs = new ArrayList<>();
        for (Map<String, String> r : rows(dir.resolve("e2e.tsv"))) {
            runs.add(new Run((int) num(r, "round"), r.get("target"), r.get("path"), num(r, "rps"), num(r, "p50_us"),
                    num(r, "p99_us"), num(r, "p999_us"), (long) zero(num(r, "requests")),
                    (long) zero(num(r, "errors")), num(r, "cpu_s_per_10k"), Ledger.of(r)));
        }
        List<Step> steps = new ArrayList<>();
        for (Map<String, String> r : rows(dir.resolve("scaling.tsv"))) {
            steps.add(new Step(r.get("kind"), r.get("path"), (int) zero(num(r, "users")),
                    (int) zero(num(r, "connections")), (int) zero(num(r, "held")), num(r, "rps"), num(r, "p50_us"),
                    num(r, "p99_us"), num(r, "p999_us"), (long) zero(num(r, "errors")), num(r, "rss_kb"),
                    num(r, "hwm_kb"), (long) zero(num(r, "non2xx")), Ledger.of(r)));
        }
        Properties machine = new Properties();
        try (Reader in = Files.newBufferedReader(dir.resolve("machine.properties"))) {
            machine.load(in);
        }
        return new RawResults(dir, runs, steps, machine);
    }

    private static List<Map<String, String>> rows(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), i < cells.length ? cells[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    private static double num(Map<String, String> row, String key) {
        String v = row.getOrDefault(key, "");
        return v.isBlank() ? Double.NaN : Double.parseDouble(v);
    }

    private static double zero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
