package us.kbase.ee2proxy.bench.passthrough;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.sim.Ee2Simulator;

/**
 * The first pass-through benchmark: the same call ({@code check_job_canceled}, what every running
 * job's runner sends each second) against the simulator directly and through the proxy, in one
 * run, in alternating rounds so that both see the same machine. Prints requests/s and latency
 * percentiles per target as a Markdown table, and the ratios.
 *
 * <p>Everything runs in this one JVM (simulator, proxy, load generator) on loopback: on a shared
 * 2-core machine only the ratio between the two targets means anything.
 */
@Command(name = "pass-through-benchmark", mixinStandardHelpOptions = true,
        description = "Requests/s and p50/p99 directly vs through the proxy, interleaved, in one run.")
public final class PassThroughBenchmark implements java.util.concurrent.Callable<Integer> {
    private static final String TOKEN = "bench-token";
    private static final Pattern JOB_ID = Pattern.compile("\"result\": \\[\"([0-9a-f]{24})\"\\]");

    @Option(names = "--connections", description = "concurrent keep-alive connections (default ${DEFAULT-VALUE})")
    int connections = 16;

    @Option(names = "--seconds", description = "length of one measured round (default ${DEFAULT-VALUE})")
    int seconds = 5;

    @Option(names = "--rounds", description = "measured rounds per target, alternating (default ${DEFAULT-VALUE})")
    int rounds = 4;

    @Option(names = "--warmup", description = "warm-up seconds per target before measuring (default ${DEFAULT-VALUE})")
    int warmup = 5;

    @Option(names = "--load-threads", description = "load generator event-loop threads (default ${DEFAULT-VALUE})")
    int loadThreads = 1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PassThroughBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try (Ee2Simulator sim = Ee2Simulator.builder().host("127.0.0.1").port(0).token(TOKEN, "bench")
                        .defaultSeconds(1_000_000).build().start();
                ProxyServer proxy = ProxyServer.builder(ProxyConfig.defaults(sim.url())
                        .withListen(new HostPort("127.0.0.1", 0)).withAdmin(new HostPort("127.0.0.1", 0))).build().start();
                LoadGenerator load = new LoadGenerator(loadThreads)) {
            byte[] request = request(newJob(sim.url()));
            Map<String, URI> targets = new LinkedHashMap<>();
            targets.put("direct", sim.url());
            targets.put("through the proxy", proxy.url());
            for (Map.Entry<String, URI> t : targets.entrySet()) {
                load.run(t.getValue(), request, connections, Duration.ofSeconds(warmup));
            }
            Map<String, Totals> totals = new LinkedHashMap<>();
            targets.keySet().forEach(name -> totals.put(name, new Totals()));
            String[] names = targets.keySet().toArray(String[]::new);
            for (int round = 0; round < rounds; round++) {
                // Alternate which target goes first, so neither always runs on a warmer machine.
                for (int i = 0; i < names.length; i++) {
                    String name = names[(i + round) % names.length];
                    totals.get(name).add(load.run(targets.get(name), request, connections, Duration.ofSeconds(seconds)));
                }
            }
            print(totals);
            return 0;
        }
    }

    private static String newJob(URI sim) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(sim)
                .header("Authorization", TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"method\": \"execution_engine2.run_job\", \"params\": "
                        + "[{\"method\": \"kb_uploadmethods.upload_fastq\", \"app_id\": \"kb_uploadmethods/upload_fastq\"}], "
                        + "\"version\": \"1.1\", \"id\": \"1\"}")).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = JOB_ID.matcher(r.body());
        if (!m.find()) {
            throw new IllegalStateException("the simulator created no job: " + r.body());
        }
        return m.group(1);
    }

    /** check_job_canceled as a job runner sends it. */
    private static byte[] request(String jobId) {
        byte[] body = ("{\"method\": \"execution_engine2.check_job_canceled\", \"params\": [{\"job_id\": \"" + jobId
                + "\"}], \"version\": \"1.1\", \"id\": \"4242\"}").getBytes(StandardCharsets.UTF_8);
        String head = "POST /services/ee2 HTTP/1.1\r\nHost: ee2\r\nAuthorization: " + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** The rounds of one target, added up. */
    private static final class Totals {
        final Histogram latency = new Histogram(3);
        long requests;
        long errors;
        double seconds;

        void add(LoadGenerator.Result r) {
            latency.add(r.latencyMicros());
            requests += r.requests();
            errors += r.errors();
            seconds += r.seconds();
        }

        double rate() {
            return requests / seconds;
        }

        double ms(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private void print(Map<String, Totals> totals) {
        System.out.printf(Locale.ROOT, "%d connections, %d rounds of %d s per target (after %d s warm-up), interleaved; "
                + "call: check_job_canceled%n%n", connections, rounds, seconds, warmup);
        System.out.println("| target | requests/s | p50 ms | p99 ms | p99.9 ms | errors |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        totals.forEach((name, t) -> System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f | %.2f | %.2f | %d |%n",
                name, t.rate(), t.ms(50), t.ms(99), t.ms(99.9), t.errors));
        Totals direct = totals.get("direct");
        Totals proxied = totals.get("through the proxy");
        System.out.printf(Locale.ROOT, "%nthroughput proxy/direct: %.2f; p50 proxy/direct: %.2f; p99 proxy/direct: %.2f%n",
                proxied.rate() / direct.rate(), proxied.ms(50) / direct.ms(50), proxied.ms(99) / direct.ms(99));
    }
}
