package us.kbase.ee2proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code explain --live USER}: one user's counts as a running proxy shows them on its admin port
 * ({@code GET /state.json}), turned into the {@link ExplainCounts} that {@code --counts} would
 * type in. Only the parallel apps the ledger counts as such (listed in {@code parents.apps}) are
 * parents a {@code parent_job_id} may name.
 *
 * @param counts the user's counts; null when the proxy shows nothing of the user
 * @param waiting the user's calls waiting at the proxy now
 * @param stall the detector's text when the user is stalled, else null
 * @param firstApp a listed parallel app of the user's (job id), for a child to name; null without one
 */
record LiveCounts(ExplainCounts counts, int waiting, String stall, String firstApp, String countsAsOf) {
    private static final JsonMapper JSON = new JsonMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Reads {@code user}'s state from the proxy whose admin port is {@code adminUrl}. */
    static LiveCounts read(URI adminUrl, String token, String user) throws IOException, InterruptedException {
        URI state = adminUrl.resolve("/state.json");
        HttpRequest.Builder get = HttpRequest.newBuilder(state).timeout(TIMEOUT).GET();
        if (token != null && !token.isBlank()) {
            get.header("Authorization", token);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        HttpResponse<String> r = http.send(get.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(state + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return of(JSON.readTree(r.body()), user);
    }

    static LiveCounts of(JsonNode state, String user) {
        String stall = null;
        for (JsonNode s : state.path("stalls")) {
            if (user.equals(s.path("user").asText())) {
                stall = s.path("text").asText();
            }
        }
        for (JsonNode u : state.path("users")) {
            if (user.equals(u.path("user").asText())) {
                return user(u, stall);
            }
        }
        return new LiveCounts(null, 0, stall, null, null);
    }

    private static LiveCounts user(JsonNode u, String stall) {
        JsonNode slots = u.path("slots");
        Map<String, Integer> byApp = new TreeMap<>();
        Map<String, ExplainCounts.ActiveParent> active = new LinkedHashMap<>();
        String first = null;
        for (JsonNode a : u.path("parallelApps")) {
            if (!a.path("listed").asBoolean(true)) {
                continue; // the ledger counts it as a plain job
            }
            byApp.merge(a.path("app").asText(), 1, Integer::sum);
            active.put(a.path("jobId").asText(), new ExplainCounts.ActiveParent(a.path("app").asText(),
                    a.path("depth").asInt()));
            first = first == null ? a.path("jobId").asText() : first;
        }
        Integer parents = slots.hasNonNull("parallelApps") ? slots.path("parallelApps").asInt() : null;
        Integer jobs = slots.hasNonNull("jobs") ? slots.path("jobs").asInt() : null;
        ExplainCounts counts = new ExplainCounts(u.path("user").asText(), parents == null ? byApp.values().stream()
                .mapToInt(Integer::intValue).sum() : parents, jobs, byApp, active, null, null,
                slots.hasNonNull("ownCallRecent") ? slots.path("ownCallRecent").asBoolean() : null);
        return new LiveCounts(counts, u.path("waitingCount").asInt(), stall, first,
                slots.hasNonNull("countsAsOf") ? slots.path("countsAsOf").asText() : null);
    }
}
