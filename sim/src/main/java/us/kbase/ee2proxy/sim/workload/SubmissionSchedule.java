package us.kbase.ee2proxy.sim.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import us.kbase.ee2proxy.sim.app.Ee2CallError;
import us.kbase.ee2proxy.sim.app.Ee2Client;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Rejection;

/**
 * The workload's users at work: each submission goes out at its simulated time as the
 * narrative sends it ({@code run_job} or {@code run_job_batch} with the user's next token), and
 * a job the user cancels gets its {@code cancel_job} later.
 */
final class SubmissionSchedule {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The simulator has no workspaces; every job names this one so check_workspace_jobs finds them. */
    static final int WSID = 1000;

    private final Workload w;
    private final URI url;
    private final Ee2Client client;
    private final ScheduledExecutorService timer;
    private final RunTracker tracker;
    private final Map<String, AtomicInteger> nextToken = new HashMap<>();

    SubmissionSchedule(Workload w, URI url, Ee2Client client, ScheduledExecutorService timer, RunTracker tracker) {
        this.w = w;
        this.url = url;
        this.client = client;
        this.timer = timer;
        this.tracker = tracker;
        w.users().forEach(u -> nextToken.put(u.name(), new AtomicInteger()));
    }

    void start() {
        for (Submission s : w.submissions()) {
            for (int k = 0; k < s.repeat(); k++) {
                double at = s.at() + k * s.every();
                tracker.outstanding.incrementAndGet();
                timer.schedule(() -> send(s), millis(at), TimeUnit.MILLISECONDS);
            }
        }
    }

    private long millis(double simSeconds) {
        return Math.round(simSeconds * 1000 / w.speed());
    }

    private String token(Submission s) {
        if (s.token() != null) {
            return s.token();
        }
        List<String> tokens = w.user(s.user()).tokens();
        return tokens.get(Math.floorMod(nextToken.get(s.user()).getAndIncrement(), tokens.size()));
    }

    private void send(Submission s) {
        String jobClass = WorkloadRunner.defaultClass(w, s);
        String token = token(s);
        tracker.event();
        if (s.isBatch()) {
            sendBatch(s, jobClass, token);
        } else {
            sendJob(s, jobClass, token);
        }
    }

    private void sendJob(Submission s, String jobClass, String token) {
        long sent = System.currentTimeMillis();
        ObjectNode params = runJobParams(s.app(), jobClass);
        tracker.track("run_job " + s.app() + " of " + s.user(), client.call(url, token, "execution_engine2.run_job", params)).whenComplete((r, err) -> {
            if (err == null && r != null && r.isTextual()) {
                tracker.created(r.asText(), jobClass, sent, s.retries());
                scheduleCancel(s, token, r.asText());
            } else {
                tracker.rejections.add(new Rejection(s.user(), s.app(), jobClass, message(err)));
            }
            done();
        });
    }

    private void sendBatch(Submission s, String jobClass, String token) {
        long sent = System.currentTimeMillis();
        ArrayNode jobs = NODES.arrayNode();
        s.batch().forEach(app -> jobs.add(runJobParams(app, jobClass)));
        ObjectNode batchParams = NODES.objectNode().put("wsid", WSID);
        tracker.track("run_job_batch of " + s.batch().size() + " of " + s.user(),
                        client.call(url, token, "execution_engine2.run_job_batch", jobs, batchParams))
                .whenComplete((r, err) -> {
                    if (err == null && r != null && r.has("batch_id")) {
                        List<String> children = new ArrayList<>();
                        r.path("child_job_ids").forEach(c -> children.add(c.asText()));
                        tracker.batchCreated(r.get("batch_id").asText(), children, jobClass, sent);
                        scheduleCancel(s, token, r.get("batch_id").asText());
                    } else {
                        String what = "batch of " + s.batch().size();
                        tracker.rejections.add(new Rejection(s.user(), what, jobClass, message(err)));
                    }
                    done();
                });
    }

    private void done() {
        tracker.event();
        tracker.outstanding.decrementAndGet();
    }

    private void scheduleCancel(Submission s, String token, String jobId) {
        if (s.cancelAfter() == null) {
            return;
        }
        tracker.outstanding.incrementAndGet();
        timer.schedule(() -> tracker.track("cancel_job " + jobId + " of " + s.user(), client.call(url, token,
                        "execution_engine2.cancel_job",
                        NODES.objectNode().put("job_id", jobId)))
                .whenComplete((r, err) -> done()), millis(s.cancelAfter()), TimeUnit.MILLISECONDS);
    }

    static ObjectNode runJobParams(String app, String jobClass) {
        ObjectNode p = NODES.objectNode();
        p.put("method", app);
        p.put("app_id", app.replace('.', '/'));
        p.putArray("params").addObject();
        p.put("service_ver", "release");
        p.put("wsid", WSID);
        p.putObject("meta").put("run_id", jobClass).put("tag", "release");
        return p;
    }

    /** What the user would read from a failed call. */
    static String message(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause == null) {
            return "no result";
        }
        if (cause instanceof Ee2CallError e && e.error() != null) {
            JsonNode m = e.error().path("message");
            return m.isTextual() ? m.textValue() : e.getMessage();
        }
        return cause.toString();
    }
}
