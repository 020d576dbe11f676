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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import us.kbase.ee2proxy.bench.passthrough.LoadGenerator;
import us.kbase.ee2proxy.redis.RedisSentinels;
import us.kbase.ee2proxy.redis.RedisServerProcess;
import us.kbase.ee2proxy.resilience.RoundRobin;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.control.RunConfiguration;

/**
 * The ledger in steady state (issue 14, item 4): run_job through the proxy as fast as closed-loop
 * clients can send it, while the simulator's job runners send start_job, check_job_canceled and
 * finish_job through the same proxy, so leases are freed as jobs end, as in production. In ONE run:
 * the in-memory ledger (one replica), the Redis ledger with one replica, and with three replicas
 * behind a round-robin balancer (the clients spread over the replicas, the runners through the
 * balancer). For each: run_job per second, its p50/p99, the admission's ledger step p99 (the
 * proxy's {@code ee2proxy.admission.ledger.seconds}), the share of decisions Redis took, and the
 * seconds a replica let nothing be decided. The ledger step's p99 is over every sample of the
 * measured phase ({@link LedgerStepReservoir}, merged over the replicas). A closed loop saturates
 * the machine, so its latencies are mostly queueing for a core: {@link OpenLoopLedgerRun} measures
 * what the ledger adds below saturation. Not a unit test: run it by hand.
 *
 * <pre>
 * mvn -B -o -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.ledger.SteadyStateLedgerRun [seconds] [connections...]
 * </pre>
 */
public final class SteadyStateLedgerRun {
    private static final int USERS = 64;
    private static final String APP = "kb_Plain.run_plain";

    private record Row(String ledger, int replicas, int connections, double perSecond, long errors, double p50Ms,
            double p99Ms, double ledgerP99Ms, long redisDecisions, long undecided, double degradedSeconds) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<Integer> connections = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            connections.add(Integer.parseInt(args[i]));
        }
        if (connections.isEmpty()) {
            connections = List.of(16, 64);
        }
        List<Row> rows = new ArrayList<>();
        String started = Instant.now().toString();
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        // -Dee2proxy.bench.sentinel=true adds rows on a Sentinel set (a master, 2 replicas): every lease
        // write there waits for both replicas (WAIT), which one server never does.
        boolean sentinel = Boolean.getBoolean("ee2proxy.bench.sentinel");
        try (RedisServerProcess redis = RedisServerProcess.start();
                RedisSentinels sentinels = sentinel ? RedisSentinels.start() : null;
                Ee2Simulator sim = Ee2Simulator.builder().runners(true).speed(100).defaultSeconds(60)
                        .keepFinishedJobs(1000).build().start();
                LoadGenerator load16 = new LoadGenerator(2)) {
            for (int u = 0; u < USERS; u++) {
                sim.addToken("tok-u" + u, "u" + u);
            }
            int run = 0;
            // One throwaway phase first: the JIT, the simulator and Redis warm up before any row counts.
            measure(sim, redis.uri(), "Redis", "warmup", 1, connections.get(0), Math.max(5, seconds / 2), load16);
            int[][] shapes = sentinel ? new int[][] {{0, 1}, {1, 1}, {1, 3}, {2, 1}, {2, 3}} : new int[][] {{0, 1}, {1, 1}, {1, 3}};
            for (int c : connections) {
                // in-memory (one replica), Redis with one replica, Redis with three (and on the Sentinel set)
                for (int[] shape : shapes) {
                    URI uri = shape[0] == 0 ? null : shape[0] == 1 ? redis.uri() : sentinels.uri();
                    String ledger = shape[0] == 0 ? "in-memory" : shape[0] == 1 ? "Redis" : "Redis Sentinel, WAIT";
                    rows.add(measure(sim, uri, ledger, "steady" + run++, shape[1], c, seconds, load16));
                    System.out.println(rows.get(rows.size() - 1));
                }
            }
        }
        String table = table(rows, seconds, started, load);
        System.out.println(table);
        Path out = Path.of(sentinel ? "bench/results/ledger-steady-state-sentinel.md" : "bench/results/ledger-steady-state.md");
        if (Files.isDirectory(out.getParent())) {
            Files.writeString(out, table, StandardCharsets.UTF_8);
            System.out.println("written to " + out);
        }
        System.exit(0);
    }

    private static Row measure(Ee2Simulator sim, URI redis, String ledger, String prefix, int replicas, int connections,
            int seconds,
            LoadGenerator load) throws Exception {
        List<ProxyReplica> started = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            started.add(new ProxyReplica(sim.url(), redis, prefix));
        }
        try (RoundRobin balancer = new RoundRobin(started.stream().map(r -> r.url()).toList())) {
            URI runnersCall = replicas == 1 ? started.get(0).url() : balancer.url();
            sim.configure(new RunConfiguration(runnersCall.toString(), 100, true, 60, null, null, Map.of(), List.of(),
                    List.of(), true));
            for (ProxyReplica r : started) {
                r.awaitRedisDecides();
            }
            // Warm up (JIT, connections), then measure from zero.
            drive(started, connections, Duration.ofSeconds(Math.max(3, seconds / 3)), load);
            started.forEach(r -> r.ledgerStep.restart());
            long redisBefore = started.stream().mapToLong(ProxyReplica::redisAcquires).sum();
            long undecidedBefore = started.stream().mapToLong(ProxyReplica::undecided).sum();
            AtomicLong degradedTicks = new AtomicLong();
            CompletableFuture<Void> watch = new CompletableFuture<>();
            Thread watcher = new Thread(() -> {
                while (!watch.isDone()) {
                    for (ProxyReplica r : started) {
                        if (r.degraded()) {
                            degradedTicks.incrementAndGet();
                        }
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            watcher.start();
            LoadGenerator.Result result = drive(started, connections, Duration.ofSeconds(seconds), load);
            watch.complete(null);
            watcher.join();
            long redisDecisions = started.stream().mapToLong(ProxyReplica::redisAcquires).sum() - redisBefore;
            long undecided = started.stream().mapToLong(ProxyReplica::undecided).sum() - undecidedBefore;
            Histogram step = new Histogram(3);
            started.forEach(r -> step.add(r.ledgerStep.histogram()));
            double ledgerP99 = step.getValueAtPercentile(99) / 1e6;
            Histogram h = result.latencyMicros();
            return new Row(ledger, replicas, connections, result.requestsPerSecond(),
                    result.errors(), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, ledgerP99,
                    redisDecisions, undecided, degradedTicks.get() / 10.0);
        } finally {
            started.forEach(ProxyReplica::close);
        }
    }

    /** {@code connections} closed loops, in groups of one user each, spread over the replicas. */
    private static LoadGenerator.Result drive(List<ProxyReplica> replicas, int connections, Duration duration,
            LoadGenerator load) throws Exception {
        int groups = Math.min(connections, 16);
        List<CompletableFuture<LoadGenerator.Result>> parts = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int n = connections / groups + (g < connections % groups ? 1 : 0);
            URI target = replicas.get(g % replicas.size()).url();
            byte[] request = runJob("tok-u" + (g % USERS), g);
            parts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return load.run(target, request, n, duration);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long requests = 0;
        long errors = 0;
        double secs = 0;
        Histogram merged = new Histogram(3);
        for (CompletableFuture<LoadGenerator.Result> p : parts) {
            LoadGenerator.Result r = p.join();
            requests += r.requests();
            errors += r.errors();
            secs = Math.max(secs, r.seconds());
            merged.add(r.latencyMicros());
        }
        return new LoadGenerator.Result(requests, errors, secs, merged);
    }

    static byte[] runJob(String token, int id) {
        String body = "{\"version\": \"1.1\", \"id\": \"" + id + "\", \"method\": \"execution_engine2.run_job\", \"params\": "
                + "[{\"method\": \"" + APP + "\", \"app_id\": \"kb_Plain/run_plain\"}]}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST /services/ee2 HTTP/1.1\r\nHost: ee2\r\nAuthorization: " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }

    private static String table(List<Row> rows, int seconds, String started, String load) {
        StringBuilder sb = new StringBuilder("# The ledger in steady state\n\n")
                .append("`java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.ledger.SteadyStateLedgerRun`, ")
                .append(started).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, load average at start ").append(load).append(". ").append(seconds)
                .append(" s per row after a warm-up; closed-loop run_job (a plain app, ").append(USERS)
                .append(" users at most, one per group of connections) while the simulator's job runners send ")
                .append("start_job, check_job_canceled and finish_job through the proxy (through the balancer with 3 ")
                .append("replicas), so leases are freed as jobs end. Everything (Redis, simulator, replicas, load) ")
                .append("shares this machine.\n\n")
                .append("| ledger | replicas | connections | run_job/s | vs in-memory | errors | p50 ms | p99 ms | ")
                .append("ledger step p99 ms | decisions by Redis | not decided | s degraded |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            double base = rows.stream().filter(m -> m.ledger.equals("in-memory") && m.connections == r.connections)
                    .mapToDouble(Row::perSecond).findFirst().orElse(r.perSecond);
            String share = r.ledger.startsWith("Redis") && r.redisDecisions + r.undecided > 0
                    ? String.format("%d (%.3f%%)", r.redisDecisions, 100.0 * r.redisDecisions / (r.redisDecisions + r.undecided))
                    : "-";
            sb.append(String.format("| %s | %d | %d | %.0f | %.2f | %d | %.2f | %.2f | %.2f | %s | %d | %.1f |%n", r.ledger,
                    r.replicas, r.connections, r.perSecond, r.perSecond / base, r.errors, r.p50Ms, r.p99Ms,
                    r.ledgerP99Ms, share, r.undecided, r.degradedSeconds));
        }
        return sb.toString();
    }
}
