package us.kbase.ee2proxy.bench.ledger;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import us.kbase.ee2proxy.redis.RedisServerProcess;
import us.kbase.ee2proxy.resilience.RoundRobin;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.control.RunConfiguration;

/**
 * What the Redis ledger adds to an admission below saturation (issue 14, Measure): run_job offered
 * at a FIXED rate (open loop, {@link OpenLoop}: latency from each request's intended send time, so
 * a stall counts against every call it delays), while the simulator's job runners send start_job,
 * check_job_canceled and finish_job through the proxy, as in {@link SteadyStateLedgerRun}. For each
 * rate, in one run: the in-memory ledger (one replica), Redis with one replica and with three
 * (the connections spread over them, the runners through a round-robin balancer). Reported: the
 * admission's ledger step (p50/p99/p99.9 of every sample, {@link LedgerStepReservoir}), run_job's
 * latency from its intended send time, what Redis adds to each (Redis row minus the in-memory row at
 * the same rate), the share of decisions Redis took and the seconds a replica let nothing be
 * decided. Not a unit test: run it by hand.
 *
 * <pre>
 * mvn -B -o -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.ledger.OpenLoopLedgerRun [seconds] [rate...]
 * </pre>
 */
public final class OpenLoopLedgerRun {
    private static final int USERS = 64;
    /** Enough for 1,000 run_job/s at 100 ms each: a request waits for a connection only past that. */
    private static final int CONNECTIONS = 128;

    private record Row(String ledger, int replicas, int rate, OpenLoop.Result load, Histogram ledgerStepNanos,
            long redisDecisions, long undecided, double degradedSeconds) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<Integer> rates = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            rates.add(Integer.parseInt(args[i]));
        }
        if (rates.isEmpty()) {
            rates = List.of(200, 500, 1000);
        }
        String started = Instant.now().toString();
        String loadAtStart = Files.readString(Path.of("/proc/loadavg")).trim();
        List<Row> rows = new ArrayList<>();
        try (RedisServerProcess redis = RedisServerProcess.start();
                Ee2Simulator sim = Ee2Simulator.builder().runners(true).speed(100).defaultSeconds(60)
                        .keepFinishedJobs(1000).build().start();
                OpenLoop load = new OpenLoop()) {
            for (int u = 0; u < USERS; u++) {
                sim.addToken("tok-u" + u, "u" + u);
            }
            int run = 0;
            // Throwaway phases first, one per ledger: the JIT compiles both paths, and the simulator and
            // Redis warm up, before any row counts (else the first in-memory rows pay for the JIT).
            measure(sim, null, "warmup", "warmup-m", 1, rates.get(0), Math.max(5, seconds / 2), load);
            measure(sim, redis.uri(), "warmup", "warmup-r", 1, rates.get(0), Math.max(5, seconds / 2), load);
            for (int rate : rates) {
                for (int[] shape : new int[][] {{0, 1}, {1, 1}, {1, 3}}) {
                    Row row = measure(sim, shape[0] == 0 ? null : redis.uri(), shape[0] == 0 ? "in-memory" : "Redis",
                            "open" + run++, shape[1], rate, seconds, load);
                    rows.add(row);
                    System.out.println(line(row, rows));
                }
            }
        }
        String loadAtEnd = Files.readString(Path.of("/proc/loadavg")).trim();
        String table = table(rows, seconds, started, loadAtStart, loadAtEnd);
        System.out.println(table);
        Path out = Path.of("bench/results/ledger-open-loop.md");
        if (Files.isDirectory(out.getParent())) {
            Files.writeString(out, table, StandardCharsets.UTF_8);
            System.out.println("written to " + out);
        }
        System.exit(0);
    }

    private static Row measure(Ee2Simulator sim, URI redis, String ledger, String prefix, int replicas, int rate,
            int seconds, OpenLoop load) throws Exception {
        List<ProxyReplica> started = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            started.add(new ProxyReplica(sim.url(), redis, prefix));
        }
        try (RoundRobin balancer = new RoundRobin(started.stream().map(ProxyReplica::url).toList())) {
            URI runnersCall = replicas == 1 ? started.get(0).url() : balancer.url();
            sim.configure(new RunConfiguration(runnersCall.toString(), 100, true, 60, null, null, Map.of(), List.of(),
                    List.of(), true));
            for (ProxyReplica r : started) {
                r.awaitRedisDecides();
            }
            List<OpenLoop.Target> targets = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                targets.add(new OpenLoop.Target(started.get(c % replicas).url(),
                        SteadyStateLedgerRun.runJob("tok-u" + (c % USERS), c)));
            }
            // Warm up at the same rate (JIT, connections, the runners' steady state), then measure from zero.
            load.run(targets, rate, Duration.ofSeconds(Math.max(3, seconds / 3)));
            started.forEach(r -> r.ledgerStep.restart());
            long redisBefore = started.stream().mapToLong(ProxyReplica::redisAcquires).sum();
            long undecidedBefore = started.stream().mapToLong(ProxyReplica::undecided).sum();
            AtomicLong degradedTicks = new AtomicLong();
            Thread watcher = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    started.stream().filter(ProxyReplica::degraded).forEach(r -> degradedTicks.incrementAndGet());
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            watcher.start();
            OpenLoop.Result result = load.run(targets, rate, Duration.ofSeconds(seconds));
            watcher.interrupt();
            watcher.join();
            Histogram step = new Histogram(3);
            started.forEach(r -> step.add(r.ledgerStep.histogram()));
            return new Row(ledger, replicas, rate, result, step,
                    started.stream().mapToLong(ProxyReplica::redisAcquires).sum() - redisBefore,
                    started.stream().mapToLong(ProxyReplica::undecided).sum() - undecidedBefore,
                    degradedTicks.get() / 10.0);
        } finally {
            started.forEach(ProxyReplica::close);
        }
    }

    private static String line(Row r, List<Row> rows) {
        Row base = rows.stream().filter(m -> m.ledger.equals("in-memory") && m.rate == r.rate).findFirst().orElse(r);
        Histogram e2e = r.load.fromIntended();
        Histogram e2eBase = base.load.fromIntended();
        Histogram step = r.ledgerStepNanos;
        Histogram stepBase = base.ledgerStepNanos;
        String share = r.ledger.equals("in-memory") || r.redisDecisions + r.undecided == 0 ? "-"
                : String.format("%d (%.3f%%)", r.redisDecisions, 100.0 * r.redisDecisions / (r.redisDecisions + r.undecided));
        return String.format("| %d | %s | %d | %.0f | %d | %d | %s | %s | %s | %s | %s | %.1f |", r.rate, r.ledger,
                r.replicas, r.load.perSecond(), r.load.errors(), r.load.lateSends(),
                triple(step, 1e6), added(step, stepBase, 1e6), triple(e2e, 1e3), added(e2e, e2eBase, 1e3), share,
                r.degradedSeconds);
    }

    /** p50 / p99 / p99.9 in ms; {@code unit} is how many of the histogram's units make a ms. */
    private static String triple(Histogram h, double unit) {
        return String.format("%.2f / %.2f / %.2f", h.getValueAtPercentile(50) / unit, h.getValueAtPercentile(99) / unit,
                h.getValueAtPercentile(99.9) / unit);
    }

    /** What a Redis row adds to the in-memory row at the same rate, percentile by percentile (ms). */
    private static String added(Histogram h, Histogram base, double unit) {
        if (h == base) {
            return "-";
        }
        double[] p = {50, 99, 99.9};
        StringBuilder sb = new StringBuilder();
        for (double q : p) {
            sb.append(sb.length() == 0 ? "" : " / ").append(String.format("%+.2f",
                    (h.getValueAtPercentile(q) - base.getValueAtPercentile(q)) / unit));
        }
        return sb.toString();
    }

    private static String table(List<Row> rows, int seconds, String started, String loadAtStart, String loadAtEnd) {
        StringBuilder sb = new StringBuilder("# The ledger below saturation (open loop)\n\n")
                .append("`java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.ledger.OpenLoopLedgerRun`, ")
                .append(started).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, load average at start ").append(loadAtStart).append(", at the end ").append(loadAtEnd)
                .append(". ").append(seconds).append(" s per row after a warm-up at the same rate; run_job (a plain app, ")
                .append(USERS).append(" users, ").append(CONNECTIONS).append(" keep-alive connections) offered at a ")
                .append("fixed rate, latency from each call's intended send time; the simulator's job runners send ")
                .append("start_job, check_job_canceled and finish_job through the proxy (through the balancer with 3 ")
                .append("replicas). Everything (Redis, simulator, replicas, load) shares this machine. \"late\": calls ")
                .append("sent more than 1 ms after they were due (no connection free). \"added\": the Redis row minus ")
                .append("the in-memory row at the same rate, percentile by percentile.\n\n")
                .append("| run_job/s offered | ledger | replicas | answered/s | errors | late | ")
                .append("ledger step p50 / p99 / p99.9 ms | added by Redis | run_job p50 / p99 / p99.9 ms (from intended) | ")
                .append("added by Redis | decisions by Redis | s degraded |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(line(r, rows)).append('\n');
        }
        return sb.toString();
    }
}
