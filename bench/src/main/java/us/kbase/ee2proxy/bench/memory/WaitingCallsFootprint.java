package us.kbase.ee2proxy.bench.memory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * What the proxy's memory holds per open client connection and per call waiting at the proxy
 * (issue 15, item 4). Starts the proxy jar in its own JVM with the README's production heap, in
 * front of an EE2 that accepts connections and never answers ({@link StalledEe2}), so every call
 * stays waiting: the first {@code 64 x event loops} on a connection to EE2, the rest waiting for one
 * of those. Then, one step at a time on that one process: no client, N idle keep-alive connections,
 * the same N connections each with one {@code check_job_canceled} call waiting. After each step a
 * heap histogram of live objects ({@code jcmd PID GC.class_histogram}, which collects first) and
 * VmRSS; the report gives the difference to the first step per connection, by class.
 *
 * <pre>
 * mvn -B -q -o -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.memory.WaitingCallsFootprint [N=10000] [OUT=bench/results/memory]
 * </pre>
 * {@code PROXY_JAVA_OPTS} overrides the proxy's JVM options (default: the README's production
 * {@code -Xmx1g -XX:+ExitOnOutOfMemoryError}, with {@code -Xms256m} as bench/run-e2e).
 */
public final class WaitingCallsFootprint {
    private static final String TOKEN = "bench-token";
    /** Places for held calls, all of one user's (the default is 1,000 per user). */
    private static final int HELD_PLACES = Integer.getInteger("heldPlaces", 20_000);
    /** One client for every scrape: the admin port keeps at most 64 connections. */
    private static final HttpClient ADMIN = HttpClient.newHttpClient();

    private WaitingCallsFootprint() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path out = Path.of(args.length > 1 ? args[1] : "bench/results/memory");
        String scenarios = args.length > 2 ? args[2] : "pool,held";
        String javaOpts = System.getenv().getOrDefault("PROXY_JAVA_OPTS", "-Xms256m -Xmx1g -XX:+ExitOnOutOfMemoryError");
        Path jar = Path.of("proxy/target/ee2-admission-proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn -B -q -o -pl bench -am package -DskipTests first");
        }
        StringBuilder report = new StringBuilder("# Memory per open connection and per waiting call\n\n");
        if (scenarios.contains("pool")) {
            report.append(pool(n, out.resolve("pool"), jar, javaOpts));
        }
        if (scenarios.contains("held")) {
            report.append(held(n, out.resolve("held"), jar, javaOpts));
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("footprint.md"), report);
        log("wrote " + out.resolve("footprint.md"));
        System.out.println(report);
    }

    /**
     * Pass-through calls waiting for a connection to EE2: EE2 accepts and never answers, so the
     * first calls stay on the pool's connections and the rest wait for one.
     */
    private static String pool(int n, Path out, Path jar, String javaOpts) throws Exception {
        Files.createDirectories(out);
        String loadAtStart = loadAverage();
        List<Snapshot> steps = new ArrayList<>();
        try (StalledEe2 ee2 = new StalledEe2(); ProxyProcess proxy = ProxyProcess.start(jar, javaOpts, ee2.url(), List.of(), out)) {
            log("proxy pid " + proxy.pid() + " on " + proxy.port() + ", stalled EE2 on " + ee2.url());
            steps.add(proxy.snapshot("no client connection", 0, out));
            List<SocketChannel> clients = new ArrayList<>(n);
            try {
                openIdle(proxy, clients, n);
                steps.add(proxy.snapshot(n + " idle keep-alive connections", n, out));
                byte[] call = checkJobCanceled("5f0c2b4e9a1d3c0012345678");
                for (SocketChannel c : clients) {
                    c.write(ByteBuffer.wrap(call));
                }
                proxy.awaitGauge("ee2proxy_requests_in_flight", v -> v >= n);
                steps.add(proxy.snapshot(n + " connections, each with a call waiting for a connection to EE2", n, out));
            } finally {
                closeAll(clients);
            }
        }
        return FootprintReport.render("Pass-through calls waiting for a connection to EE2 (EE2 never answers)",
                "EE2 accepts and never answers, so every call stays waiting: on a connection to EE2 (in use) or waiting for one.",
                steps, n, javaOpts, loadAtStart, loadAverage(), "pool");
    }

    /**
     * Parallel apps held by admission: the simulator is EE2 and auth2, the user is at its cap of
     * parents, and each of N connections sends one more, which waits at the proxy. Then 64 other
     * connections pass {@code check_job_canceled} through for 20 s meanwhile, and the RSS after that
     * is what the README's target (10,000 held calls and 64 pass-through connections) is about.
     */
    private static String held(int n, Path out, Path jar, String javaOpts) throws Exception {
        Files.createDirectories(out);
        String loadAtStart = loadAverage();
        List<Snapshot> steps = new ArrayList<>();
        String passThrough;
        try (Simulator sim = Simulator.start(out);
                ProxyProcess proxy = ProxyProcess.start(jar, javaOpts, sim.url(), List.of("--policy", "config/policy.yaml"), out)) {
            log("proxy pid " + proxy.pid() + " on " + proxy.port() + ", simulator on " + sim.url());
            sim.fillParentCap(proxy.port());
            steps.add(proxy.snapshot("user at its cap, no other client connection", 0, out));
            List<SocketChannel> clients = new ArrayList<>(n);
            try {
                openIdle(proxy, clients, n);
                steps.add(proxy.snapshot(n + " idle keep-alive connections", n, out));
                byte[] parent = Simulator.parentRunJob();
                for (SocketChannel c : clients) {
                    c.write(ByteBuffer.wrap(parent));
                }
                proxy.awaitGauge("ee2proxy_admission_held_now", v -> v >= n);
                steps.add(proxy.snapshot(n + " connections, each with a parallel app held by admission", n, out));
                passThrough = sim.passThroughLoad(proxy, 64, Duration.ofSeconds(20));
                steps.add(proxy.snapshot(n + " held, after 20 s of pass-through on 64 more connections", n, out));
            } finally {
                closeAll(clients);
            }
        }
        return FootprintReport.render("Parallel apps held by admission (simulator, in-memory ledger, config/policy.yaml)",
                "A user at the parents cap sends one more parallel app on each connection; admission holds them all. " + passThrough,
                steps, n, javaOpts, loadAtStart, loadAverage(), "held");
    }

    private static void openIdle(ProxyProcess proxy, List<SocketChannel> clients, int n) throws IOException, InterruptedException {
        for (int i = 0; i < n; i++) {
            clients.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port())));
        }
        proxy.awaitGauge("ee2proxy_connections_open", v -> v >= n);
    }

    private static void closeAll(List<SocketChannel> clients) {
        for (SocketChannel c : clients) {
            try {
                c.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
    }

    static byte[] checkJobCanceled(String jobId) {
        String body = "{\"method\":\"execution_engine2.check_job_canceled\",\"params\":[{\"job_id\":\"" + jobId + "\"}],"
                + "\"version\":\"1.1\",\"id\":\"7364829105\"}";
        String head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + TOKEN + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n";
        return (head + body).getBytes(StandardCharsets.UTF_8);
    }

    static void log(String what) {
        System.err.println(Instant.now() + " " + what);
    }

    /** The proxy under measurement, in its own JVM. */
    record ProxyProcess(Process process, int port, int adminPort) implements AutoCloseable {
        static ProxyProcess start(Path jar, String javaOpts, URI ee2, List<String> args, Path raw) throws IOException, InterruptedException {
            int port = StalledEe2.freePort();
            int admin = StalledEe2.freePort();
            // Long enough that nothing the proxy bounds ends a step's connections or calls before they are measured.
            Path config = raw.resolve("proxy.yaml");
            Files.writeString(config, String.join("\n",
                    "listen: 127.0.0.1:" + port,
                    "admin: 127.0.0.1:" + admin,
                    "upstream:",
                    "  url: " + ee2,
                    "timeouts:",
                    "  response: 1800s",
                    "  clientIdle: 1800s",
                    "  request: 1800s",
                    // every held call comes from one user: let that user have them all
                    "admission:",
                    "  maxHeld: " + Math.max(10_000, HELD_PLACES),
                    "  maxHeldPerUser: " + HELD_PLACES,
                    ""));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of(javaOpts.trim().split("\\s+")));
            command.addAll(List.of("-jar", jar.toString(), "serve", "--config", config.toString()));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(raw.resolve("proxy.log").toFile()).start();
            ProxyProcess proxy = new ProxyProcess(p, port, admin);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try (SocketChannel probe = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                    return proxy;
                } catch (IOException notYet) {
                    if (!p.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("the proxy did not start; see " + raw.resolve("proxy.log"));
                    }
                    Thread.sleep(200);
                }
            }
        }

        long pid() {
            return process.pid();
        }

        String metrics() throws IOException, InterruptedException {
            return ADMIN.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }

        long gauge(String text, String name) {
            for (String line : text.split("\n")) {
                if (line.startsWith(name + " ")) {
                    return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
                }
            }
            return -1;
        }

        void awaitGauge(String name, LongPredicate reached) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long v;
            while (!reached.test(v = gauge(metrics(), name))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " stayed at " + v);
                }
                Thread.sleep(250);
            }
        }

        Snapshot snapshot(String step, int connections, Path raw) throws IOException, InterruptedException {
            Thread.sleep(1000); // let the last reads and writes settle
            String text = metrics();
            String histogram = jcmd("GC.class_histogram");
            String heapInfo = jcmd("GC.heap_info");
            long rss = StalledEe2.statusKb(pid(), "VmRSS");
            String name = "step-" + step.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
            Files.writeString(raw.resolve(name + "-histogram.txt"), histogram.lines().limit(80).reduce("", (a, b) -> a + b + "\n"));
            Files.writeString(raw.resolve(name + "-heap-info.txt"), heapInfo);
            String nativeMemory = jcmd("VM.native_memory summary");
            if (!nativeMemory.contains("not enabled")) { // PROXY_JAVA_OPTS has -XX:NativeMemoryTracking=summary
                Files.writeString(raw.resolve(name + "-native-memory.txt"), nativeMemory);
            }
            Snapshot s = new Snapshot(step, connections, gauge(text, "ee2proxy_connections_open"), gauge(text, "ee2proxy_upstream_waiting"),
                    gauge(text, "ee2proxy_upstream_connections_in_use"), rss, Histogram.parse(histogram));
            log(step + ": live heap " + s.histogram().totalBytes() / 1024 + " KiB, RSS " + rss + " kB, waiting " + s.waiting()
                    + ", in use " + s.inUse());
            return s;
        }

        private String jcmd(String command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("jcmd", String.valueOf(pid()), command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return text;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** One step: what the proxy said and held. */
    record Snapshot(String step, int connections, long open, long waiting, long inUse, long rssKb, Histogram histogram) {}
}
