package us.kbase.ee2proxy.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import us.kbase.ee2proxy.bench.e2e.RawResults.Ledger;
import us.kbase.ee2proxy.bench.e2e.RawResults.Run;
import us.kbase.ee2proxy.bench.e2e.RawResults.Step;

/**
 * e2e.md's account of the ledger's decisions: per measured run of our proxy, per scaling and held
 * step, and over the whole run (the proxy's /metrics at the end), so a run_job figure can be read
 * knowing how many of its decisions Redis took.
 */
final class LedgerReport {
    /** The counters' names in the proxy's /metrics, in run-e2e's column order. */
    static final List<String> COUNTERS = List.of("ledger_decisions_total", "ledger_fallback_decisions_total",
            "ee2proxy_admission_ledger_unavailable_total", "ledger_redis_errors_total");

    private LedgerReport() {
    }

    /** "F of D" (fallback decisions of all decisions), or "-" when not read. */
    static String fallbackOf(Ledger l) {
        return l.known() ? n(l.fallback()) + " of " + n(l.decisions()) : "-";
    }

    /** The per-run table, or nothing when no run of ours had its counters read. */
    static List<String> perRun(List<Run> runs) {
        List<Run> read = runs.stream().filter(r -> r.ledger().known()).toList();
        List<String> md = new ArrayList<>();
        if (read.isEmpty()) {
            return md;
        }
        md.add("## The ledger's decisions, run by run (our proxy)");
        md.add("");
        md.add("Differences of the proxy's counters read just before each run and after it, once they stop moving"
                + " (read each second, 20 s at most: calls still in flight when wrk stops are decided after it):"
                + " decisions asked of the"
                + " ledger (`ledger_decisions_total`: new run_job calls and the rechecks of calls waiting at the proxy),"
                + " of them those Redis could not take (`ledger_fallback_decisions_total`: the call waited at the proxy,"
                + " `redis.onFailure: wait`), new calls that found the ledger unavailable"
                + " (`ee2proxy_admission_ledger_unavailable_total`) and Redis calls that failed or timed out"
                + " (`ledger_redis_errors_total`).");
        md.add("");
        md.add("| round | target | decisions | decided by Redis | fallback decisions | ledger unavailable | Redis errors |");
        md.add("|---:|---|---:|---:|---:|---:|---:|");
        for (Run r : read) {
            Ledger l = r.ledger();
            md.add("| " + r.round() + " | " + r.target() + " | " + n(l.decisions()) + " | " + n(l.byRedis()) + " | "
                    + fallbackOf(l) + " | " + n(l.unavailable()) + " | " + n(l.redisErrors()) + " |");
        }
        md.add("");
        return md;
    }

    /** Where the whole run's decisions were taken: rounds, scaling steps, held steps, and the rest. */
    static List<String> wholeRun(RawResults raw) throws IOException {
        List<String> md = new ArrayList<>();
        Optional<Ledger> total = atEnd(raw.dir().resolve("proxy-metrics.txt"));
        if (total.isEmpty()) {
            return md;
        }
        Ledger rounds = sum(raw.runs().stream().map(Run::ledger).toList());
        Ledger scaling = sum(steps(raw, s -> s.kind().equals("users")));
        Ledger held = sum(steps(raw, s -> s.kind().equals("held")));
        Ledger rest = total.get().minus(rounds).minus(scaling).minus(held);
        md.add("Over the whole run (the proxy's /metrics at the end, raw/proxy-metrics.txt) the ledger was asked "
                + n(total.get().decisions()) + " decisions, " + n(total.get().fallback())
                + " of them on the fallback (" + pct(total.get()) + "), " + n(total.get().unavailable())
                + " new calls found it unavailable and " + n(total.get().redisErrors()) + " Redis calls failed."
                + " Fallback decisions by part: measured rounds " + fallbackOf(rounds) + ", scaling steps "
                + fallbackOf(scaling) + ", held steps " + fallbackOf(held) + ", the rest (warm-ups, JFR profiles,"
                + " the held user's first parents, between steps) " + fallbackOf(rest) + ".");
        md.add("");
        return md;
    }

    /** The four counters in a Prometheus text file; empty when it has no ledger_decisions_total. */
    static Optional<Ledger> atEnd(Path metrics) throws IOException {
        if (!Files.isRegularFile(metrics)) {
            return Optional.empty();
        }
        double[] v = {Double.NaN, 0, 0, 0};
        for (String line : Files.readAllLines(metrics)) {
            String[] f = line.split(" ");
            int i = f.length == 2 ? COUNTERS.indexOf(f[0]) : -1;
            if (i >= 0) {
                v[i] = Double.parseDouble(f[1]);
            }
        }
        return Double.isNaN(v[0]) ? Optional.empty() : Optional.of(new Ledger(v[0], v[1], v[2], v[3]));
    }

    private static List<Ledger> steps(RawResults raw, Predicate<Step> kind) {
        return raw.steps().stream().filter(kind).map(Step::ledger).toList();
    }

    /** The sum of the ledgers read (unknown ones left out). */
    static Ledger sum(List<Ledger> ledgers) {
        Ledger total = new Ledger(0, 0, 0, 0);
        for (Ledger l : ledgers) {
            if (l.known()) {
                total = total.plus(l);
            }
        }
        return total;
    }

    private static String pct(Ledger l) {
        return l.decisions() > 0 ? String.format(Locale.ROOT, "%.1f%%", 100 * l.fallback() / l.decisions()) : "-";
    }

    private static String n(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }
}
