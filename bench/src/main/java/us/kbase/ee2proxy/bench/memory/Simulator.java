package us.kbase.ee2proxy.bench.memory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import us.kbase.ee2proxy.bench.passthrough.LoadGenerator;

/**
 * The EE2 simulator (and auth2) in its own JVM, configured as bench/run-e2e configures it: the
 * parallel app {@code kb_Bowtie2.run} never finishes, so a user who started as many as the policy
 * allows has every further one held by admission.
 */
record Simulator(Process process, URI url) implements AutoCloseable {
    private static final String PARENT_BODY = "{\"method\":\"execution_engine2.run_job\",\"params\":[{\"method\":\"kb_Bowtie2.run\","
            + "\"app_id\":\"kb_Bowtie2/run\",\"params\":[{}],\"wsid\":42}],\"version\":\"1.1\",\"id\":\"1\"}";

    static Simulator start(Path raw) throws IOException, InterruptedException {
        Path jar = Path.of("sim/target/ee2-sim.jar");
        int port = StalledEe2.freePort();
        Path config = raw.resolve("sim.yaml");
        Files.writeString(config, String.join("\n",
                "slots: 1000000", "capacity: 1000000", "keepFinishedJobs: 100000", "defaultSeconds: 0.5",
                "apps:", "  - {method: bench_Long.run, seconds: 100000000}", "  - {method: kb_Bowtie2.run, seconds: 100000000}",
                "tokens:", "  - {token: bench-token, user: bench}", "  - {token: held-token, user: held}", ""));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-jar",
                jar.toString(), "serve", "--port", String.valueOf(port), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(raw.resolve("sim.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (SocketChannel probe = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                return new Simulator(p, URI.create("http://127.0.0.1:" + port + "/"));
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the simulator did not start; see " + raw.resolve("sim.log"));
                }
                Thread.sleep(200);
            }
        }
    }

    /** Starts, through the proxy, as many parallel apps as the policy lets the user "held" run. */
    void fillParentCap(int proxyPort) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 5; i++) {
            String answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/"))
                    .header("Authorization", "held-token").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(PARENT_BODY)).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (!answer.contains("\"result\"")) {
                throw new IllegalStateException("parent " + i + " was not started: " + answer);
            }
        }
    }

    static byte[] parentRunJob() {
        String head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: held-token\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + PARENT_BODY.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n";
        return (head + PARENT_BODY).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code connections} loops of check_job_canceled through the proxy for {@code time}; says what they got. */
    String passThroughLoad(WaitingCallsFootprint.ProxyProcess proxy, int connections, Duration time) throws Exception {
        String job = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).header("Authorization", "bench-token")
                .POST(HttpRequest.BodyPublishers.ofString("{\"method\":\"execution_engine2.run_job\",\"params\":[{\"method\":"
                        + "\"bench_Long.run\",\"app_id\":\"bench_Long/run\",\"params\":[{}],\"wsid\":42}],\"version\":\"1.1\",\"id\":\"1\"}"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        String jobId = job.substring(job.indexOf("[\"") + 2, job.indexOf("\"]"));
        try (LoadGenerator load = new LoadGenerator(2)) {
            LoadGenerator.Result r = load.run(URI.create("http://127.0.0.1:" + proxy.port() + "/"),
                    WaitingCallsFootprint.checkJobCanceled(jobId), connections, time);
            return String.format(Locale.ROOT, "Pass-through meanwhile (check_job_canceled, %d connections, %d s, LoadGenerator): "
                    + "%,.0f req/s, p99 %.1f ms, %d errors; VmHWM after it %,d kB.", connections, time.toSeconds(),
                    r.requestsPerSecond(), r.latencyMicros().getValueAtPercentile(99) / 1000.0, r.errors(),
                    StalledEe2.statusKb(proxy.pid(), "VmHWM"));
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

}
