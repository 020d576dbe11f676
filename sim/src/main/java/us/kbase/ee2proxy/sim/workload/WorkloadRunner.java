package us.kbase.ee2proxy.sim.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.Ee2CallError;
import us.kbase.ee2proxy.sim.app.Ee2Client;
import us.kbase.ee2proxy.sim.control.RunConfiguration;
import us.kbase.ee2proxy.sim.control.RunControlMethods;
import us.kbase.ee2proxy.sim.control.SimChanges;
import us.kbase.ee2proxy.sim.control.SimSnapshot;
import us.kbase.ee2proxy.sim.control.TokenGrant;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;
import us.kbase.ee2proxy.sim.scheduler.Scheduler;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Rejection;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Verdict;

/**
 * Runs a workload against any EE2 URL: the simulator itself, or a proxy in front of it. It
 * speaks only HTTP through that URL: {@code ee2sim.configure_run} resets the simulator and makes
 * its parents and runners call the same URL, then the workload's users submit on schedule, and
 * {@code ee2sim.changes} (what moved since the last poll) feeds the deadlock detector until every
 * job is done or a verdict falls.
 */
public final class WorkloadRunner {
    private static final ObjectMapper JSON = RunControlMethods.json();
    private static final long CONTROL_TIMEOUT_SECONDS = 30;

    private final URI ee2Url;
    private final URI callbackUrl;
    private long pollMillis = 50;

    /** A runner for {@code ee2Url}; the simulator's parents and runners call the same URL. */
    public WorkloadRunner(URI ee2Url) {
        this(ee2Url, ee2Url);
    }

    /** For a simulator that must reach the URL by another address than this process does. */
    public WorkloadRunner(URI ee2Url, URI callbackUrl) {
        this.ee2Url = ee2Url;
        this.callbackUrl = callbackUrl;
    }

    public WorkloadRunner pollMillis(long ms) {
        this.pollMillis = ms;
        return this;
    }

    /**
     * Runs the workload to a verdict.
     *
     * @throws IOException when the URL cannot be reached or does not lead to a simulator
     */
    public WorkloadReport run(Workload w) throws IOException, InterruptedException {
        Ee2Client client = SharedClient.CLIENT;
        control(client, RunControlMethods.CONFIGURE, JSON.valueToTree(configuration(w)));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("workload-timer", true));
        RunTracker tracker = new RunTracker();
        try {
            long t0 = System.currentTimeMillis();
            new SubmissionSchedule(w, ee2Url, client, timer, tracker).start();
            return watch(w, client, tracker, t0);
        } finally {
            timer.shutdownNow();
            tracker.abandonCalls();
        }
    }

    /**
     * One HTTP client for every run in this JVM: tests run hundreds of workloads, and a client
     * per run would leave its threads and connections behind each time. Its one event-loop
     * thread is a daemon; its connections close when unused for a while.
     */
    private static final class SharedClient {
        static final Ee2Client CLIENT = new Ee2Client("workload-client", 1);
    }

    private RunConfiguration configuration(Workload w) {
        List<TokenGrant> tokens = new ArrayList<>();
        w.users().forEach(u -> u.tokens().forEach(t -> tokens.add(new TokenGrant(t, u.name(), u.roles()))));
        return new RunConfiguration(callbackUrl.toString(), w.speed(), w.runners(), w.defaultSeconds(), w.slots(),
                w.capacity(), w.slotOverrides(), tokens, w.apps(), true);
    }

    private WorkloadReport watch(Workload w, Ee2Client client, RunTracker tracker, long t0)
            throws IOException, InterruptedException {
        long lastChange = -1;
        long changeSeenAt = t0;
        SchedulerView view = new SchedulerView();
        while (true) {
            // Read before asking for the snapshot: a reply that lands while the snapshot is on its
            // way would otherwise make a snapshot without that job look like the end of the run.
            int outstanding = tracker.outstanding.get();
            long lastEvent = tracker.lastEvent.get();
            SimSnapshot snap = view.poll(client);
            long now = System.currentTimeMillis();
            if (snap.lastChange() != lastChange) {
                lastChange = snap.lastChange();
                changeSeenAt = now;
            }
            int retriesSent = retryFailed(w, client, snap, tracker);
            List<JobSnapshot> open = unfinished(snap);
            long quiet = now - Math.max(changeSeenAt, lastEvent);
            ReportBuilder report = new ReportBuilder(w, ee2Url, snap, tracker, t0, now);
            if (open.isEmpty() && outstanding == 0 && retriesSent == 0) {
                return report.build(Verdict.FINISHED, "every job reached a final state", null);
            }
            if (quiet >= w.quietSeconds() * 1000) {
                Optional<Deadlock> d = DeadlockDetector.find(snap);
                if (d.isPresent()) {
                    return report.build(Verdict.DEADLOCK, String.format("user %s: all %d slots held by parents "
                            + "waiting on queued children, nothing moved for %.1f s", d.get().user(), d.get().slots(),
                            quiet / 1000.0), d.get());
                }
            }
            if (quiet >= w.stallSeconds() * 1000) {
                return report.build(Verdict.STALLED, String.format("%d jobs unfinished and %d calls outstanding, "
                        + "nothing moved for %.1f s", open.size(), outstanding, quiet / 1000.0), null,
                        jobCalls(client, open));
            }
            if (now - t0 >= w.timeoutSeconds() * 1000) {
                return report.build(Verdict.TIMEOUT, String.format("%d jobs unfinished after %.0f s", open.size(),
                        w.timeoutSeconds()), null, jobCalls(client, open));
            }
            Thread.sleep(pollMillis);
        }
    }

    /**
     * What the simulator's runners and parallel apps of (up to 50 of) {@code open} asked EE2, so a
     * stalled run says which call each unfinished job waits on; empty when the simulator cannot
     * tell (an older one) or does not answer.
     */
    private Map<String, List<String>> jobCalls(Ee2Client client, List<JobSnapshot> open) throws InterruptedException {
        ObjectNode p = JSON.createObjectNode();
        open.stream().limit(50).forEach(j -> p.withArray("job_ids").add(j.jobId()));
        try {
            JsonNode calls = control(client, RunControlMethods.JOB_CALLS, p);
            Map<String, List<String>> out = new HashMap<>();
            calls.fields().forEachRemaining(e -> {
                List<String> lines = new ArrayList<>();
                e.getValue().forEach(l -> lines.add(l.asText()));
                out.put(e.getKey(), lines);
            });
            return out;
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    static List<JobSnapshot> unfinished(SimSnapshot snap) {
        List<JobSnapshot> out = new ArrayList<>();
        for (JobSnapshot j : snap.jobs()) {
            if (!j.batchContainer() && !j.finishedState()) {
                out.add(j);
            }
        }
        return out;
    }

    /** The user resubmits a failed top-level job with retry_job while it has retries left. */
    private int retryFailed(Workload w, Ee2Client client, SimSnapshot snap, RunTracker tracker) {
        int sent = 0;
        for (JobSnapshot j : snap.jobs()) {
            Integer left = tracker.retriesLeft.get(j.jobId());
            if (left == null || left <= 0 || j.status() != JobStatus.ERROR
                    || tracker.retried.putIfAbsent(j.jobId(), true) != null) {
                continue;
            }
            String token = w.user(j.user()) == null ? null : w.user(j.user()).tokens().get(0);
            String jobClass = tracker.classOf.getOrDefault(j.jobId(), "plain");
            tracker.outstanding.incrementAndGet();
            sent++;
            long sentAt = System.currentTimeMillis();
            ObjectNode p = JSON.createObjectNode().put("job_id", j.jobId());
            tracker.track("retry_job " + j.jobId() + " of " + j.user(),
                    client.call(ee2Url, token, "execution_engine2.retry_job", p)).whenComplete((r, err) -> {
                if (err == null && r != null && r.has("retry_id")) {
                    tracker.created(r.get("retry_id").asText(), jobClass, sentAt, left - 1);
                } else {
                    tracker.rejections.add(new Rejection(j.user(), j.app(), jobClass, SubmissionSchedule.message(err)));
                }
                tracker.event();
                tracker.outstanding.decrementAndGet();
            });
        }
        return sent;
    }

    /**
     * The scheduler's state as this run last saw it. Each poll asks only for the jobs changed since
     * the previous one ({@code ee2sim.changes}) and merges them in by id, so a poll costs what
     * moved, not every job of the run; a simulator without that method is asked for whole
     * snapshots instead.
     */
    private final class SchedulerView {
        private final Map<String, JobSnapshot> jobs = new HashMap<>();
        private long version;
        private boolean incremental = true;

        SimSnapshot poll(Ee2Client client) throws IOException, InterruptedException {
            if (incremental) {
                try {
                    JsonNode c = changes(client);
                    SimChanges changes = JSON.treeToValue(c, SimChanges.class);
                    changes.jobs().forEach(j -> jobs.put(j.jobId(), j));
                    version = changes.version();
                    List<JobSnapshot> all = new ArrayList<>(jobs.values());
                    all.sort(Scheduler.OLDEST_FIRST);
                    return new SimSnapshot(changes.now(), changes.lastChange(), changes.speed(), changes.slots(),
                            changes.slotOverrides(), changes.capacity(), all);
                } catch (IOException e) {
                    if (!(e.getCause() instanceof Ee2CallError err) || err.error() == null
                            || err.error().path("code").asInt() != -32601) {
                        throw e;
                    }
                    incremental = false; // an older simulator: method not found
                }
            }
            return JSON.treeToValue(control(client, RunControlMethods.SNAPSHOT), SimSnapshot.class);
        }

        /**
         * The changes since the last poll. A poll is a read: through a proxy replica that is
         * restarted under it (its connection cut), it is simply asked again, a few times.
         */
        private JsonNode changes(Ee2Client client) throws IOException, InterruptedException {
            for (int attempt = 1; ; attempt++) {
                try {
                    return control(client, RunControlMethods.CHANGES, JSON.createObjectNode().put("since", version));
                } catch (IOException e) {
                    if (e.getCause() instanceof Ee2CallError || attempt >= 5) {
                        throw e;
                    }
                    Thread.sleep(100L * attempt);
                }
            }
        }
    }

    private JsonNode control(Ee2Client client, String method, JsonNode... params)
            throws IOException, InterruptedException {
        CompletableFuture<JsonNode> call = client.call(ee2Url, null, method, params);
        try {
            return call.get(CONTROL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("cannot drive the EE2 simulator at " + ee2Url + " (" + method + "): "
                    + SubmissionSchedule.message(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new IOException("no answer from " + ee2Url + " to " + method + " within "
                    + CONTROL_TIMEOUT_SECONDS + " s");
        }
    }

    static String defaultClass(Workload w, Submission s) {
        if (s.jobClass() != null) {
            return s.jobClass();
        }
        if (s.isBatch()) {
            return "batch";
        }
        AppProfile p = w.profile(s.app());
        return p != null && p.isParent() ? "parent" : "plain";
    }
}
