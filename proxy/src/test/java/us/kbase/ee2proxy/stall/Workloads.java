package us.kbase.ee2proxy.stall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import us.kbase.ee2proxy.config.StallConfig;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadRunner;
import us.kbase.ee2proxy.testing.ProxyExtension;

/** Runs the repository's workloads through a test proxy and reads its admin port. */
final class Workloads {
    private static final JsonMapper JSON = new JsonMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /**
     * A small threshold, looked at often: a test run deadlocks within seconds (the simulator runs
     * 100 simulated seconds per real one), and nothing else makes a user a candidate.
     */
    static final StallConfig QUICK = new StallConfig(Duration.ofSeconds(1), Duration.ofMillis(100));

    private Workloads() {}

    static WorkloadReport run(ProxyExtension proxy, String name) throws IOException, InterruptedException {
        Workload workload = Workload.load(Path.of("../config/workloads/" + name + ".yaml"));
        return new WorkloadRunner(proxy.url()).run(workload);
    }

    static String get(ProxyExtension proxy, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(proxy.adminUrl(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static JsonNode state(ProxyExtension proxy) throws IOException, InterruptedException {
        return JSON.readTree(get(proxy, "/state.json"));
    }

    static long episodes(ProxyExtension proxy) {
        return proxy.registry().counter("ee2proxy.stall.episodes").getCount();
    }

    static URI admin(ProxyExtension proxy) {
        return proxy.adminUrl("/");
    }
}
