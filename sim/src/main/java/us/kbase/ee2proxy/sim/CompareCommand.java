package us.kbase.ee2proxy.sim;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import us.kbase.ee2proxy.sim.workload.Deadlock;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.ClassStats;

/**
 * {@code compare A.json B.json}: two {@code workload --json} reports of one workload side by side,
 * e.g. straight to EE2 and through the proxy (the demo). Exit 0, or 2 when a report cannot be read.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Print two workload --json reports of the same workload side by side.")
final class CompareCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String ROW = "%-30s %-26s %-26s%n";

    @Parameters(index = "0", paramLabel = "LEFT", description = "The first report (e.g. the direct run).")
    Path left;

    @Parameters(index = "1", paramLabel = "RIGHT", description = "The second report (e.g. through the proxy).")
    Path right;

    @Option(names = "--left-name", defaultValue = "directly", description = "Column title (default ${DEFAULT-VALUE}).")
    String leftName;

    @Option(names = "--right-name", defaultValue = "through the proxy",
            description = "Column title (default ${DEFAULT-VALUE}).")
    String rightName;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WorkloadReport a;
        WorkloadReport b;
        try {
            a = JSON.readValue(left.toFile(), WorkloadReport.class);
            b = JSON.readValue(right.toFile(), WorkloadReport.class);
        } catch (IOException e) {
            spec.commandLine().getErr().println("ee2-sim compare: cannot read a workload report: " + e.getMessage());
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(table(a, b, leftName, rightName));
        out.flush();
        return 0;
    }

    static String table(WorkloadReport a, WorkloadReport b, String leftName, String rightName) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "workload %s (simulated seconds)%n%n", a.workload()));
        row(sb, "", leftName, rightName);
        row(sb, "", "-".repeat(leftName.length()), "-".repeat(rightName.length()));
        row(sb, "verdict", a.verdict().name(), b.verdict().name());
        row(sb, "apps failed by a refusal", Integer.toString(a.appsFailedByRefusal().size()),
                Integer.toString(b.appsFailedByRefusal().size()));
        row(sb, "orphaned children", Integer.toString(a.orphans().size()), Integer.toString(b.orphans().size()));
        row(sb, "jobs finished", finished(a), finished(b));
        row(sb, "makespan", makespan(a), makespan(b));
        row(sb, "rejected submissions", Integer.toString(a.rejected().size()), Integer.toString(b.rejected().size()));
        Set<String> classes = new LinkedHashSet<>();
        a.classes().forEach(c -> classes.add(c.jobClass()));
        b.classes().forEach(c -> classes.add(c.jobClass()));
        for (String c : classes) {
            row(sb, c + " done", done(a.classStats(c)), done(b.classStats(c)));
            row(sb, c + " waited (max)", waited(a.classStats(c)), waited(b.classStats(c)));
        }
        sb.append('\n');
        describe(sb, leftName, a);
        describe(sb, rightName, b);
        return sb.toString();
    }

    private static void row(StringBuilder sb, String what, String left, String right) {
        sb.append(String.format(Locale.ROOT, ROW, what, left, right).stripTrailing()).append('\n');
    }

    private static String finished(WorkloadReport r) {
        return r.finished() + " of " + r.jobs();
    }

    private static String makespan(WorkloadReport r) {
        return r.allFinished()
                ? String.format(Locale.ROOT, "%.0f s", r.makespanSeconds())
                : String.format(Locale.ROOT, "stuck (gave up at %.0f s)", r.makespanSeconds());
    }

    private static String done(ClassStats c) {
        return c == null ? "-" : c.finished() + " of " + c.jobs();
    }

    /** How long the class's jobs sat queued before a slot ran them: "never started" if none did. */
    private static String waited(ClassStats c) {
        if (c == null) {
            return "-";
        }
        if (c.waitSeconds().n() == 0) {
            return "never started";
        }
        String max = String.format(Locale.ROOT, "%.1f s", c.waitSeconds().max());
        return c.waitSeconds().n() < c.jobs() ? max + " (" + (c.jobs() - c.waitSeconds().n()) + " never)" : max;
    }

    private static void describe(StringBuilder sb, String name, WorkloadReport r) {
        if (!r.appsFailedByRefusal().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%s: %s (%d orphaned children left running).%n", name, r.headline(),
                    r.orphans().size()));
            r.appsFailedByRefusal().stream().limit(5).forEach(f -> sb.append(String.format(Locale.ROOT,
                    "    app %s  %s: %s%n", f.jobId(), f.app(), f.error())));
            if (r.allFinished()) {
                return;
            }
        }
        if (r.allFinished()) {
            sb.append(String.format(Locale.ROOT, "%s: every job finished (%d jobs in %.0f simulated s).%n", name,
                    r.jobs(), r.makespanSeconds()));
            return;
        }
        sb.append(String.format(Locale.ROOT, "%s: %s: %s%n", name, r.verdict(), r.reason()));
        Deadlock d = r.deadlock();
        if (d != null) {
            sb.append(String.format(Locale.ROOT, "  user %s: all %d slots held by these parents, waiting on %d "
                    + "queued children that can never start:%n", d.user(), d.slots(), d.children().size()));
            for (int i = 0; i < d.parents().size(); i++) {
                sb.append(String.format(Locale.ROOT, "    parent %s  %s%n", d.parents().get(i), d.parentApps().get(i)));
            }
        }
    }
}
