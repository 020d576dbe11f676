package us.kbase.ee2proxy.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.AppPattern;
import us.kbase.ee2proxy.policy.DurationText;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.UserOverride;
import us.kbase.ee2proxy.policy.load.PolicyException;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.policy.load.Problem;

/**
 * {@code check-policy FILE}: validates an admission policy. Exit 0 and the effective limits of
 * the defaults and of every override (overridden values marked {@code *}); exit 2 and every
 * problem as {@code file:line:column: what} plus a fix.
 */
@Command(name = "check-policy", mixinStandardHelpOptions = true,
        description = "Check an admission policy file and print the effective limits, every override included.")
public final class CheckPolicyCommand implements Callable<Integer> {
    /** Exit code for a policy that cannot be used. */
    public static final int INVALID = 2;

    @Parameters(paramLabel = "FILE", description = "the policy, e.g. config/policy.yaml")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AdmissionPolicy policy;
        try {
            policy = PolicyLoader.load(file);
        } catch (PolicyException e) {
            for (Problem p : e.problems()) {
                err.println(p);
            }
            err.println(file + ": " + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s")
                    + "; the policy was not accepted.");
            err.flush();
            return INVALID;
        }
        print(policy, out);
        out.flush();
        return 0;
    }

    static void print(AdmissionPolicy policy, PrintWriter out) {
        out.println(policy.source() + ": valid");
        out.println("mode: " + lower(policy.mode()) + ", redis.onFailure: " + lower(policy.redisFailureMode()));
        out.println("parents.apps: " + policy.parallelApps().stream().map(AppPattern::text).collect(Collectors.joining(", "))
                + " (ownModuleJobs: " + lower(policy.ownModuleJobs()) + ")");
        out.println("exempt.users: " + (policy.exemptUsers().isEmpty() ? "none"
                : policy.exemptUsers().stream().sorted().collect(Collectors.joining(", "))));
        out.println();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("limits", "slots", "maxPerUser", "maxNestingDepth", "parent caps by depth", "whenFull",
                "parents.maxWait", "children.maxQueued", "children.reserve", "children.reserveFor", "children.maxWait",
                "children.perParent", "ownJobs.maxQueued", "ownJobs.maxWait", "users"));
        rows.add(row("defaults", policy.defaultLimits(), Set.of(), "everyone else"));
        for (UserOverride o : policy.overrides()) {
            rows.add(row(o.name(), o.limits(), o.keys(), String.join(", ", o.users())));
        }
        printTable(rows, out);
        if (!policy.overrides().isEmpty()) {
            out.println();
            out.println("* set by the override; other values come from the defaults.");
        }
    }

    private static List<String> row(String name, Limits l, Set<String> keys, String users) {
        List<String> caps = new ArrayList<>();
        for (int d = 0; d <= l.parentsMaxNestingDepth(); d++) {
            caps.add(Integer.toString(l.parentCap(d)));
        }
        return List.of(name,
                mark(l.slots(), keys, "slots"),
                mark(l.parentsMaxPerUser(), keys, "parents.maxPerUser"),
                mark(l.parentsMaxNestingDepth(), keys, "parents.maxNestingDepth"),
                String.join(",", caps),
                mark(lower(l.parentsWhenFull()), keys, "parents.whenFull"),
                mark(DurationText.compact(l.parentsMaxWait()), keys, "parents.maxWait"),
                mark(l.childrenMaxQueued(), keys, "children.maxQueued"),
                mark(l.childrenReserve(), keys, "children.reserve"),
                mark(l.reserveForText(), keys, "children.reserveFor"),
                mark(DurationText.compact(l.childrenMaxWait()), keys, "children.maxWait"),
                mark(l.childrenPerParent(), keys, "children.perParent"),
                mark(l.ownJobsMaxQueued() == Limits.OWN_JOBS_NEVER_WAIT ? "never wait" : l.ownJobsMaxQueued(), keys,
                        "ownJobs.maxQueued"),
                mark(DurationText.compact(l.ownJobsMaxWait()), keys, "ownJobs.maxWait"),
                users);
    }

    private static String mark(Object value, Set<String> keys, String key) {
        return value + (keys.contains(key) ? "*" : "");
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static void printTable(List<List<String>> rows, PrintWriter out) {
        int[] width = new int[rows.get(0).size()];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                String cell = r.get(i);
                line.append(i == r.size() - 1 ? cell : cell + " ".repeat(width[i] - cell.length() + 2));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
