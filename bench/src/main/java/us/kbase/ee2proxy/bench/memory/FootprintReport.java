package us.kbase.ee2proxy.bench.memory;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The markdown report of a {@link WaitingCallsFootprint} run. */
final class FootprintReport {
    private static final int TOP = 20;

    private FootprintReport() {}

    static String render(String title, String what, List<WaitingCallsFootprint.Snapshot> steps, int n, String javaOpts,
            String loadAtStart, String loadAtEnd, String scenario) {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(title).append("\n\n");
        md.append("`java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.memory.WaitingCallsFootprint ").append(n)
                .append(" OUT ").append(scenario).append("`, ")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
                .append(", proxy JVM `").append(javaOpts).append("`, load average ").append(loadAtStart).append(" at the start, ")
                .append(loadAtEnd).append(" at the end.\n\n");
        md.append(what).append(" Live heap = the total of `jcmd PID GC.class_histogram` (a full collection first); RSS = VmRSS.\n\n");
        md.append("| step | client connections | calls on a connection to EE2 | calls waiting for one | live heap MiB | RSS MiB |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (WaitingCallsFootprint.Snapshot s : steps) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f | %.1f |%n", s.step(), s.open(), s.inUse(), s.waiting(),
                    s.histogram().totalBytes() / 1048576.0, s.rssKb() / 1024.0));
        }
        WaitingCallsFootprint.Snapshot base = steps.get(0);
        md.append("\nPer client connection, against the first step:\n\n");
        md.append("| step | live heap bytes per connection | RSS bytes per connection |\n|---|---:|---:|\n");
        for (WaitingCallsFootprint.Snapshot s : steps.subList(1, steps.size())) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d |%n", s.step(), (s.histogram().totalBytes() - base.histogram().totalBytes()) / n,
                    (s.rssKb() - base.rssKb()) * 1024 / n));
        }
        for (int i = 1; i < steps.size(); i++) {
            WaitingCallsFootprint.Snapshot s = steps.get(i);
            WaitingCallsFootprint.Snapshot before = steps.get(i - 1);
            md.append("\n### ").append(s.step()).append(": the top ").append(TOP).append(" classes, against the step before\n\n");
            md.append(String.format(Locale.ROOT, "%,d bytes of live heap per connection more than \"%s\".%n%n",
                    (s.histogram().totalBytes() - before.histogram().totalBytes()) / n, before.step()));
            md.append("| class | bytes per connection | instances per connection |\n|---|---:|---:|\n");
            for (String[] row : top(before.histogram(), s.histogram(), n)) {
                md.append("| `").append(row[0]).append("` | ").append(row[1]).append(" | ").append(row[2]).append(" |\n");
            }
        }
        return md.append("\n").toString();
    }

    private static List<String[]> top(Histogram before, Histogram after, int n) {
        Set<String> names = new HashSet<>(after.classes().keySet());
        names.addAll(before.classes().keySet());
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(Comparator.comparingLong((String c) -> after.of(c)[1] - before.of(c)[1]).reversed());
        List<String[]> rows = new ArrayList<>();
        for (String c : sorted.subList(0, Math.min(TOP, sorted.size()))) {
            long bytes = after.of(c)[1] - before.of(c)[1];
            long instances = after.of(c)[0] - before.of(c)[0];
            rows.add(new String[] {c, String.format(Locale.ROOT, "%,.1f", bytes / (double) n),
                    String.format(Locale.ROOT, "%.2f", instances / (double) n)});
        }
        return rows;
    }
}
