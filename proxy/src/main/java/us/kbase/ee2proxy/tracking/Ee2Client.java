package us.kbase.ee2proxy.tracking;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import us.kbase.ee2proxy.config.UpstreamConfig;
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;
import us.kbase.ee2proxy.upstream.ServiceHttpClient;

/**
 * The few EE2 calls the proxy makes on its own: {@code check_job} (a retried job's input, with the
 * caller's token), {@code check_jobs} and {@code check_jobs_date_range_for_all} (the reconciler,
 * with a service token and {@code as_admin}).
 *
 * <p>A {@link ServiceHttpClient} straight to the upstream URL, with the upstream's TLS trust and
 * hostname setting (not through the proxy's own pool, so a slow reconcile never takes a
 * connection a client needs). Every call is bounded by {@code timeout}, connect and answer.
 * Futures complete on that client's callback threads, never on an event loop; a Netty handler
 * hops back.
 * Failures are {@link Ee2CallException}s (wrapped in a CompletionException by the future).
 */
public final class Ee2Client {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    /** Big fields nobody here reads: keep check_job replies small. */
    private static final List<String> NOT_NEEDED = List.of("job_output");
    private static final List<String> NOT_NEEDED_NOR_INPUT = List.of("job_output", "job_input");

    /** The reconciler pages through check_jobs; a retry lookup asks one check_job: few at a time. */
    private static final int MAX_CONNECTIONS = 8;
    /** A page of check_jobs answers without job_input; this bounds a runaway one. */
    private static final int MAX_ANSWER_BYTES = 64 << 20;

    private final ServiceHttpClient http;
    private final AtomicLong ids = new AtomicLong();

    /** @param timeout bound on one call, connect included */
    public Ee2Client(UpstreamConfig upstream, Duration timeout) {
        this.http = new ServiceHttpClient(new UpstreamConfig(upstream.url(), upstream.trustCaFile(), upstream.verifyHostname(),
                MAX_CONNECTIONS, upstream.poolIdleTimeout()), timeout, MAX_ANSWER_BYTES);
    }

    public Ee2Client(URI url, Duration timeout) {
        this(new UpstreamConfig(url, null, true, 1, Duration.ofSeconds(1)), timeout);
    }

    /**
     * {@code check_job} as the token's owner (no {@code as_admin}): the job's state and input,
     * e.g. to classify a {@code retry_job} by the job it retries.
     */
    public CompletableFuture<Ee2Job> checkJob(String token, String jobId) {
        return checkJob(token, jobId, false);
    }

    /** {@link #checkJob(String, String)}, with {@code as_admin} when {@code asAdmin} (an admin's look at another user's job). */
    public CompletableFuture<Ee2Job> checkJob(String token, String jobId, boolean asAdmin) {
        ObjectNode params = JSON.createObjectNode().put("job_id", jobId);
        params.set("exclude_fields", strings(NOT_NEEDED));
        if (asAdmin) {
            params.put("as_admin", true); // a boolean: some EE2 methods test `as_admin is True`
        }
        return call(token, "check_job", params).thenApply(Ee2Client::job);
    }

    /**
     * {@code cancel_job} of {@code jobId}, with {@code as_admin} when {@code asAdmin} (the proxy
     * cancelling a cancelled parallel app's children with its service token, which needs EE2_ADMIN).
     */
    public CompletableFuture<Void> cancelJob(String token, String jobId, boolean asAdmin) {
        ObjectNode params = JSON.createObjectNode().put("job_id", jobId);
        if (asAdmin) {
            params.put("as_admin", true); // a boolean: some EE2 methods test `as_admin is True`
        }
        return call(token, "cancel_job", params).thenApply(result -> null);
    }

    /**
     * {@code check_jobs} (the list form): the jobs' states, in the order asked, with their input
     * only when {@code withInput}. EE2 fails the whole call if one job is unknown or not readable.
     */
    public CompletableFuture<List<Ee2Job>> checkJobs(String token, List<String> jobIds, boolean asAdmin,
            boolean withInput) {
        ObjectNode params = JSON.createObjectNode();
        params.set("job_ids", strings(jobIds));
        params.set("exclude_fields", strings(withInput ? NOT_NEEDED : NOT_NEEDED_NOR_INPUT));
        params.put("return_list", 1);
        if (asAdmin) {
            params.put("as_admin", true); // a boolean: some EE2 methods test `as_admin is True`
        }
        return call(token, "check_jobs", params).thenApply(result -> jobs(result.path("job_states")));
    }

    /**
     * {@code check_jobs_date_range_for_all} with {@code as_admin} (EE2_ADMIN_RO at least): one
     * page, oldest first, of every user's jobs updated between {@code startMillis} and
     * {@code endMillis}.
     */
    public CompletableFuture<JobPage> checkJobsDateRangeForAll(String token, long startMillis, long endMillis,
            int offset, int limit) {
        ObjectNode params = JSON.createObjectNode()
                .put("start_time", startMillis)
                .put("end_time", endMillis)
                .put("offset", offset)
                .put("limit", limit)
                .put("ascending", 1)
                .put("as_admin", true);
        return call(token, "check_jobs_date_range_for_all", params).thenApply(result -> {
            List<Ee2Job> jobs = jobs(result.path("jobs"));
            long total = result.path("query_count").canConvertToLong() ? result.path("query_count").asLong() : -1;
            return new JobPage(jobs, total);
        });
    }

    /** One page of a date-range query; {@code queryCount} is EE2's total match count, -1 if unknown. */
    public record JobPage(List<Ee2Job> jobs, long queryCount) {
        public JobPage {
            jobs = List.copyOf(jobs);
        }
    }

    /** Calls {@code execution_engine2.<method>(params)}; completes with the result's one element. */
    CompletableFuture<JsonNode> call(String token, String method, JsonNode params) {
        ObjectNode body = JSON.createObjectNode()
                .put("version", "1.1")
                .put("method", "execution_engine2." + method)
                .put("id", "ee2proxy-" + ids.incrementAndGet());
        body.putArray("params").add(params);
        CompletableFuture<ServiceHttpClient.Answer> sent;
        try {
            Map<String, String> headers = new HashMap<>();
            headers.put("Content-Type", "application/json");
            if (token != null) {
                headers.put("Authorization", token);
            }
            sent = http.send(HttpMethod.POST, http.target(), headers, JSON.writeValueAsBytes(body));
        } catch (IllegalArgumentException | JsonProcessingException e) {
            return CompletableFuture.failedFuture(Ee2CallException.refused(-32000, "cannot send " + method + ": " + e.getMessage()));
        }
        String id = body.get("id").textValue();
        return sent.handle((answer, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                throw Ee2CallException.unavailable("EE2 did not answer " + method + ": " + cause, cause);
            }
            return result(method, id, answer);
        });
    }

    private static JsonNode result(String method, String id, ServiceHttpClient.Answer answer) {
        JsonNode reply;
        try {
            reply = JSON.readTree(answer.body());
        } catch (IOException e) {
            reply = null;
        }
        if (reply == null || !reply.isObject()) {
            throw Ee2CallException.unavailable(
                    "EE2 answered " + method + " with HTTP " + answer.status() + " and no JSON-RPC reply", null);
        }
        JsonNode error = reply.get("error");
        if (error != null && !error.isNull()) {
            // EE2's own refusal: its HTTP 500 with this call's id. A JSON error from anything in
            // front of EE2 (which cannot know the id) says nothing about the job.
            if (answer.status() != 500 || !id.equals(reply.path("id").textValue())) {
                throw Ee2CallException.unavailable("EE2 answered " + method + " with HTTP " + answer.status()
                        + " and an error that is not its own reply to the call", null);
            }
            int code = error.path("code").canConvertToInt() ? error.path("code").asInt() : -32000;
            throw Ee2CallException.refused(code, error.path("message").asText("error " + code));
        }
        JsonNode result = reply.path("result");
        if (answer.status() != 200 || !(result.isArray() || result.isNull())) {
            throw Ee2CallException.unavailable(
                    "EE2 answered " + method + " with HTTP " + answer.status() + " and no result", null);
        }
        // Methods that return nothing (cancel_job, finish_job) answer "result": null.
        return result.isArray() && !result.isEmpty() ? result.get(0) : NullNode.getInstance();
    }

    private static List<Ee2Job> jobs(JsonNode states) {
        List<Ee2Job> jobs = new ArrayList<>(states.size());
        for (JsonNode state : states) {
            if (state.isObject()) {
                jobs.add(job(state));
            }
        }
        return jobs;
    }

    static Ee2Job job(JsonNode state) {
        JsonNode input = state.get("job_input");
        return new Ee2Job(
                text(state, "job_id"),
                text(state, "user"),
                text(state, "status"),
                state.path("created").asLong(0),
                state.path("batch_job").asBoolean(false),
                input != null && input.isObject() ? params(input) : null);
    }

    /**
     * A job's input as admission reads it. EE2 stores the requirements it resolved; where they
     * carry {@code ignore_concurrency_limits} or {@code bill_to_user}, the job was submitted with
     * them as an admin (EE2 allows nothing else), so the retry keeps that.
     */
    private static RunJobParams params(JsonNode input) {
        JsonNode req = input.path("requirements");
        boolean ignoreLimits = pythonTruthy(req.get("ignore_concurrency_limits"));
        String billTo = text(req, "bill_to_user");
        boolean special = ignoreLimits || (billTo != null && !billTo.isEmpty());
        JobRequirements requirements = special
                ? new JobRequirements(true, ignoreLimits, billTo == null || billTo.isEmpty() ? null : billTo)
                : JobRequirements.NONE;
        String parent = text(input, "parent_job_id");
        return new RunJobParams(text(input, "method"), text(input, "app_id"),
                parent == null || parent.isEmpty() ? null : parent, special, requirements);
    }

    private static boolean pythonTruthy(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.doubleValue() != 0;
        }
        if (v.isTextual()) {
            return !v.textValue().isEmpty();
        }
        return v.size() > 0;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = JSON.createArrayNode();
        values.forEach(array::add);
        return array;
    }
}
