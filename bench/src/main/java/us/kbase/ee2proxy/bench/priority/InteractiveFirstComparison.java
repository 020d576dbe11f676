package us.kbase.ee2proxy.bench.priority;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import us.kbase.ee2proxy.admission.AdmissionStack;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.workload.CombinedWorkloads;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadGenerator;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadRunner;

/**
 * Issue 13's trade-off, measured in the simulator: how long a scientist's own (interactive) job
 * waits, how long children wait, and the makespan, for the default children policy and two
 * alternatives, over twelve-parallel-apps (KBParallel's real shape) and the 200 randomized
 * workloads (40 to a run), each through a fresh in-memory proxy in front of a fresh simulator;
 * EE2 alone beside them. Simulated seconds throughout.
 *
 * <pre>java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.priority.InteractiveFirstComparison</pre>
 *
 * A run reports percentiles per class, not per job, so the randomized columns are the worst run's
 * p95 and max (an upper bound of the 200 workloads' p95) and the median of the runs' p50s;
 * {@code -Danatomy=true} prints the percentiles over every interactive job, the slowest ones'
 * wait split (before EE2 created it, queued, starting) with what was ahead of them, and the slot use.
 *
 * <p>Options (system properties): {@code workloads} (200), {@code perRun} (40), {@code speed} (600,
 * RandomizedWorkloadsTest's: on a loaded machine one real second is 600 simulated ones, so lower
 * speeds and fewer workloads to a run measure the policy rather than the machine), {@code variants}
 * (indices, run in the order given, e.g. {@code 2,0}), {@code allRows=false} (skip
 * twelve-parallel-apps and EE2 alone), {@code warmup=false} (skip the 10 unmeasured workloads run
 * first: without them the first variant pays the JVM's warm-up, hundreds of simulated seconds),
 * {@code twelveOnly=true} (twelve-parallel-apps through each variant, nothing else).
 */
public final class InteractiveFirstComparison {
    private static final int WORKLOADS = Integer.getInteger("workloads", 200);
    private static final int PER_RUN = Integer.getInteger("perRun", 40);
    /** Simulated seconds per real second of the randomized runs (RandomizedWorkloadsTest's 600). */
    private static final double SPEED = Double.parseDouble(System.getProperty("speed", "600"));
    /** Which variants to run (indices into the list, comma-separated), default all. */
    private static final String VARIANTS = System.getProperty("variants", "");
    /** false: skip twelve-parallel-apps and EE2 alone (for exploring the randomized rows). */
    private static final boolean ALL_ROWS = Boolean.parseBoolean(System.getProperty("allRows", "true"));
    /** true: only twelve-parallel-apps through each variant (no warm-up, no randomized rows). */
    private static final boolean TWELVE_ONLY = Boolean.getBoolean("twelveOnly");
    /** true: print what the slowest interactive jobs waited behind, and the slot use. */
    private static final boolean ANATOMY = Boolean.getBoolean("anatomy");

    /**
     * A policy to compare: its name and its YAML (children and ownJobs sections), and for
     * {@code children.reserveFor} its window in simulated seconds (0: none, the key left out).
     */
    record Variant(String name, String yaml, double reserveForSimulated) {
        Variant(String name, String yaml) {
            this(name, yaml, 0);
        }

        /**
         * The YAML for a simulator running at {@code speed} simulated seconds per real second: the
         * proxy's durations are real time, so a window of 600 simulated s at speed 100 is 6 real s.
         */
        String yamlAt(double speed) {
            if (reserveForSimulated <= 0) {
                return yaml;
            }
            long ms = Math.max(1, Math.round(reserveForSimulated * 1000 / speed));
            return yaml.replace("\nownJobs:", "\n  reserveFor: " + ms + "ms\nownJobs:");
        }
    }

    record Row(String target, String workload, double interactiveP50, double interactiveP95, double interactiveMax,
            double childP95, double makespan, String verdict) {}

    public static void main(String[] args) throws Exception {
        List<Variant> variants = List.of(
                new Variant("own jobs wait for a slot, reserve 1", policyYaml(0, 1, "0")),
                new Variant("own jobs wait for a slot, reserve 0", policyYaml(0, 0, "0")),
                new Variant("before: maxQueued 10, reserve 0", policyYaml(10, 0, "1000000")),
                new Variant("last default: maxQueued 0, reserve 1, own jobs never wait", policyYaml(0, 1, "1000000")),
                // 4-7: the default with the reserve lent after this many simulated seconds without an own call.
                lent(60), lent(300), lent(600), lent(30));
        Workload twelve = Workload.load(Path.of("config/workloads/twelve-parallel-apps.yaml"));
        // In the order given: the first variant run in a fresh JVM pays its warm-up (JIT), which at
        // speed 600 is many simulated minutes: 10 workloads run unmeasured first (-Dwarmup=false skips them).
        List<Integer> order = VARIANTS.isEmpty() ? java.util.stream.IntStream.range(0, variants.size()).boxed().toList()
                : java.util.Arrays.stream(VARIANTS.split(",")).map(String::trim).map(Integer::valueOf).toList();
        List<Row> rows = new ArrayList<>();
        if (TWELVE_ONLY) {
            for (int i : order) {
                rows.add(twelve(variants.get(i), twelve));
            }
            print(rows);
            return;
        }
        if (Boolean.parseBoolean(System.getProperty("warmup", "true"))) {
            Variant first = variants.get(order.get(0));
            randomized(first, policy(first), 10, false);
        }
        if (ALL_ROWS) {
            rows.add(twelveDirect(twelve));
            rows.add(randomized(null, null, WORKLOADS, ANATOMY));
        }
        for (int i : order) {
            Variant v = variants.get(i);
            if (ALL_ROWS) {
                rows.add(twelve(v, twelve));
            }
            rows.add(randomized(v, policy(v), WORKLOADS, ANATOMY));
        }
        print(rows);
    }

    private static void print(List<Row> rows) {
        System.out.println();
        System.out.println("| target | workload | interactive wait p50 / p95 / max | children's wait p95 | makespan | verdict |");
        System.out.println("|---|---|---|---:|---:|---|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f / %.1f / %.1f s | %.1f s | %.0f s | %s |%n", r.target(),
                    r.workload(), r.interactiveP50(), r.interactiveP95(), r.interactiveMax(), r.childP95(), r.makespan(),
                    r.verdict());
        }
    }

    private static Row twelveDirect(Workload w) throws Exception {
        try (Ee2Simulator sim = Ee2Simulator.builder().build().start()) {
            return row("EE2 alone", "twelve-parallel-apps", List.of(new WorkloadRunner(sim.url()).run(w)));
        }
    }

    /** The shipped default (maxQueued 0, reserve 1, own jobs never wait) with children.reserveFor. */
    private static Variant lent(int simulatedSeconds) {
        return new Variant("default, reserveFor " + simulatedSeconds + " simulated s", policyYaml(0, 1, "1000000"),
                simulatedSeconds);
    }

    private static Row twelve(Variant v, Workload w) throws Exception {
        AdmissionPolicy policy = PolicyLoader.parse(v.yamlAt(w.speed()), v.name());
        try (Ee2Simulator sim = Ee2Simulator.builder().build().start(); Proxy proxy = new Proxy(sim, policy)) {
            WorkloadReport report = new WorkloadRunner(proxy.server.url()).run(w);
            if (ANATOMY) {
                AnatomyPrinter.print(v.name() + ", twelve-parallel-apps", List.of(report));
            }
            return row(v.name(), "twelve-parallel-apps", List.of(report));
        }
    }

    private static AdmissionPolicy policy(Variant v) throws Exception {
        return PolicyLoader.parse("parents:\n  apps: [kb_Parallel0, kb_Parallel1, kb_Parallel2]\n" + v.yamlAt(SPEED),
                v.name());
    }

    /** children.maxQueued and reserve, ownJobs.maxQueued (1000000: the user's own calls never wait). */
    private static String policyYaml(int childrenMaxQueued, int reserve, String ownJobsMaxQueued) {
        return "children:\n  maxQueued: " + childrenMaxQueued + "\n  reserve: " + reserve + "\nownJobs:\n  maxQueued: "
                + ownJobsMaxQueued + "\n";
    }

    /** {@code workloads} randomized workloads, perRun to a run; straight at EE2 when {@code policy} is null. */
    private static Row randomized(Variant v, AdmissionPolicy policy, int workloads, boolean anatomy) throws Exception {
        WorkloadGenerator.Shape standard = WorkloadGenerator.Shape.standard();
        WorkloadGenerator.Shape shape = new WorkloadGenerator.Shape(standard.users(), standard.maxDepth(),
                standard.maxParentsPerUser(), standard.maxChildren(), standard.maxPlainPerUser(), true, true, true, true,
                SPEED);
        List<WorkloadReport> reports = new ArrayList<>();
        for (long first = 1; first <= workloads; first += PER_RUN) {
            List<Long> seeds = LongStream.range(first, Math.min(first + PER_RUN, workloads + 1L)).boxed().toList();
            Workload w = CombinedWorkloads.together(seeds, shape);
            try (Ee2Simulator sim = Ee2Simulator.builder().build().start()) {
                if (policy == null) {
                    reports.add(new WorkloadRunner(sim.url()).run(w));
                } else {
                    try (Proxy proxy = new Proxy(sim, policy)) {
                        reports.add(new WorkloadRunner(proxy.server.url()).run(w));
                        if (anatomy) {
                            printProxyTimes(proxy.registry);
                        }
                    }
                }
            }
            System.out.printf("%s, seeds %d-%d: %s%n", v == null ? "EE2 alone" : v.name(), seeds.get(0),
                    seeds.get(seeds.size() - 1), reports.get(reports.size() - 1).headline());
        }
        if (anatomy) {
            AnatomyPrinter.print(v == null ? "EE2 alone" : v.name(), reports);
        }
        return row(v == null ? "EE2 alone (deadlocked users' jobs never start and are not counted)" : v.name(),
                workloads + " randomized", reports);
    }

    private static Row row(String target, String workload, List<WorkloadReport> reports) {
        List<Double> p50s = new ArrayList<>();
        double p95 = 0;
        double max = 0;
        double childP95 = 0;
        double makespan = 0;
        List<String> verdicts = new ArrayList<>();
        for (WorkloadReport r : reports) {
            WorkloadReport.ClassStats interactive = r.classStats("interactive");
            if (interactive != null && interactive.waitSeconds().n() > 0) {
                p50s.add(interactive.waitSeconds().p50());
                p95 = Math.max(p95, interactive.waitSeconds().p95());
                max = Math.max(max, interactive.waitSeconds().max());
            }
            WorkloadReport.ClassStats child = r.classStats("child");
            if (child != null) {
                childP95 = Math.max(childP95, child.waitSeconds().p95());
            }
            makespan += r.makespanSeconds();
            verdicts.add(r.headline());
        }
        p50s.sort(null);
        double p50 = p50s.isEmpty() ? 0 : p50s.get(p50s.size() / 2);
        return new Row(target, workload, p50, p95, max, childP95, makespan,
                verdicts.stream().distinct().reduce((a, b) -> a + ", " + b).orElse(""));
    }

    /**
     * Where the proxy's own time went in a run (real seconds): waiting for a connection to EE2,
     * EE2's answers by method, ledger decisions, holds.
     */
    private static void printProxyTimes(MetricRegistry registry) {
        registry.getTimers().forEach((name, t) -> {
            if (name.startsWith("ee2proxy.upstream.") || name.startsWith("ee2proxy.admission.")) {
                Snapshot sn = t.getSnapshot();
                System.out.printf(Locale.ROOT, "  proxy %s: n %d, mean %.3f s, p99 %.3f s, max %.3f s%n", name, t.getCount(),
                        sn.getMean() / 1e9, sn.get99thPercentile() / 1e9, sn.getMax() / 1e9);
            }
        });
    }

    /** A proxy with the in-memory ledger in front of {@code sim}, as the README's quickstart runs it. */
    private static final class Proxy implements AutoCloseable {
        final AdmissionStack admission;
        final ProxyServer server;
        final MetricRegistry registry;

        Proxy(Ee2Simulator sim, AdmissionPolicy policy) throws InterruptedException {
            ProxyConfig config = ProxyConfig.defaults(sim.url()).withListen(new HostPort("127.0.0.1", 0))
                    .withAdmin(new HostPort("127.0.0.1", 0));
            registry = new MetricRegistry();
            admission = AdmissionStack.builder(config, registry).policy(() -> policy).build();
            server = ProxyServer.builder(config).metricRegistry(registry).gate(admission.gate()).build().start();
        }

        @Override
        public void close() {
            server.close();
            admission.close();
        }
    }
}
