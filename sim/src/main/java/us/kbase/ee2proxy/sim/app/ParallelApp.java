package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.sim.scheduler.Job;

/**
 * A running KBParallel-style parent, shaped like KBParallel 0.4.3's {@code TaskManager.execute_all}:
 * one loop that checks every running child ({@code check_job}), then submits pending children
 * one after another while fewer than {@code concurrent_njsw_tasks} run, then sleeps: 1 s until
 * 20 s have passed, 5 s until 300 s, then 15 s (scaled by the speed).
 *
 * <p>Each child's {@code run_job} is what {@code Job.run_remotely} sends (see
 * {@link #childParams}), with the parent job's owner's token, and blocks the loop until it is
 * answered, however long a proxy keeps it waiting: nothing is checked meanwhile. A child that
 * ENDS in error (seen by {@code check_job}) goes back to pending until it has used
 * {@code max_retries}. An error reply to a child's {@code run_job} (EE2's error object, a bare
 * HTTP error, a broken connection) is re-raised by KBParallel: the whole app fails at once, its
 * children already started keep running (nothing cancels them: orphans), and nothing more is
 * submitted. The parent completes when every child has succeeded or used its retries.
 */
final class ParallelApp {
    private static final Logger LOG = LoggerFactory.getLogger(ParallelApp.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Simulated sleeps shorter than this would only burn the CPU the run shares. */
    private static final long MIN_SLEEP_MILLIS = 20;
    /** KBParallel passes the version its caller gave for each task; the callers name a release. */
    static final String SERVICE_VER = "release";

    /** What the app reports to the job it runs in. */
    interface Host {
        /** Still the scheduler's job and not finished (cancelled, finished or forgotten: stop). */
        boolean alive();

        /** A child's run_job sent at {@code sentAt} was answered with {@code childId}. */
        void childCreated(String childId, long sentAt);

        /** Every child succeeded or used its retries. */
        void completed();

        /** A child's run_job got an error reply: the app fails with {@code message}. */
        void failed(String message);
    }

    private final Job parent;
    private final ChildPlan plan;
    private final RunSettings settings;
    private final JobExecution execution;
    private final ScheduledExecutorService timer;
    private final Host host;
    private final int[] attempts;
    /** KBParallel pops pending tasks from the end of its list. */
    private final List<Integer> pending = new ArrayList<>();
    private final List<Running> running = new ArrayList<>();
    private int settled;
    /** Touched only by the loop's turns, which never overlap. */
    private double sleptSeconds;

    private record Running(int task, String jobId) {}

    /** Why submitting stopped early: {@code failure} is the app's error, null when a reset dropped the call. */
    private record Halt(String failure) {}

    ParallelApp(Job parent, ChildPlan plan, RunSettings settings, JobExecution execution,
                ScheduledExecutorService timer, Host host) {
        this.parent = parent;
        this.plan = plan;
        this.settings = settings;
        this.execution = execution;
        this.timer = timer;
        this.host = host;
        this.attempts = new int[plan.count()];
        for (int i = 0; i < plan.count(); i++) {
            pending.add(i);
        }
    }

    void start() {
        loop();
    }

    /** One turn of execute_all: check, submit, sleep. Turns never overlap. */
    private void loop() {
        if (!host.alive()) {
            execution.note(parent, "app loop stopped: the job is no longer alive");
            return; // cancelled, finished, or forgotten by a reset
        }
        checkRunning().thenCompose(v -> submitPending()).whenComplete((halt, err) -> {
            if (err != null) {
                LOG.warn("parallel app {} failed a turn", parent.id(), err);
            }
            if (halt != null) {
                // Re-raised out of run_batch: the app ends here; its running children are left alone.
                execution.note(parent, halt.failure() == null ? "app halted: a reset dropped its call"
                        : "app failed: " + halt.failure());
                if (halt.failure() != null && host.alive()) {
                    host.failed(halt.failure());
                }
                return;
            }
            if (allSettled()) {
                execution.note(parent, "app completed: every child settled");
                if (host.alive()) {
                    host.completed();
                }
                return;
            }
            double seconds = sleepSeconds(sleptSeconds);
            sleptSeconds += seconds;
            long sleep = Math.max(MIN_SLEEP_MILLIS, settings.millis(seconds));
            execution.note(parent, "app turn done (" + state() + "), next in " + sleep + " ms");
            timer.schedule(JobExecution.guarded(this::loop), sleep, TimeUnit.MILLISECONDS);
        });
    }

    /** KBParallel's generate_sleep_interval, given the seconds slept so far. */
    static double sleepSeconds(double sleptSoFar) {
        return sleptSoFar < 20 ? 1 : sleptSoFar < 300 ? 5 : 15;
    }

    private CompletableFuture<Void> checkRunning() {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (Running r : runningNow()) {
            ObjectNode q = NODES.objectNode().put("job_id", r.jobId());
            checks.add(execution.call(parent, "app", settings, "execution_engine2.check_job", q)
                    .handle((state, err) -> {
                        if (isEe2Error(err)) {
                            settle(r, false); // the check raised: count the task as failed
                        } else if (err == null && state != null) {
                            String status = state.path("status").asText();
                            if (status.equals("completed")) {
                                settle(r, true);
                            } else if (status.equals("error") || status.equals("terminated")) {
                                settle(r, false);
                            }
                        }
                        return null; // a transport hiccup: ask again next turn
                    }));
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
    }

    private synchronized String state() {
        return running.size() + " running, " + pending.size() + " pending, " + settled + " of " + plan.count()
                + " settled";
    }

    private synchronized List<Running> runningNow() {
        return List.copyOf(running);
    }

    private synchronized boolean allSettled() {
        return settled == plan.count();
    }

    /** A child ended: retried while it has attempts left (max_retries), else settled. */
    private synchronized void settle(Running r, boolean ok) {
        running.remove(r);
        if (!ok && attempts[r.task()] <= plan.maxRetries()) {
            pending.add(r.task());
        } else {
            settled++;
        }
    }

    /**
     * Submits pending children one at a time, each after the previous answer, up to the limit.
     * Completes with null, or with a halt for the first run_job that was not answered with a job
     * id (the loop then fails the app and submits nothing more).
     */
    private CompletableFuture<Halt> submitPending() {
        int task;
        synchronized (this) {
            if (!host.alive() || running.size() >= plan.concurrent() || pending.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            task = pending.remove(pending.size() - 1);
            attempts[task]++;
        }
        long sentAt = System.currentTimeMillis();
        ObjectNode params = childParams(plan, parent.id(), parent.spec().wsid(), settings.ee2Url());
        return execution.call(parent, "app", settings, "execution_engine2.run_job", params)
                .handle((id, err) -> {
                    if (err == null && id != null && id.isTextual()) {
                        host.childCreated(id.textValue(), sentAt);
                        synchronized (this) {
                            running.add(new Running(task, id.textValue()));
                        }
                        return null;
                    }
                    if (cause(err) instanceof CancellationException) {
                        if (host.alive()) { // only a reset drops calls, and it forgets the jobs first
                            LOG.warn("child run_job of {} was dropped while the app is alive: it stops, its job stays {}",
                                    parent.id(), parent.status());
                        }
                        return new Halt(null); // a reset dropped the call: the run is gone, and so is this app
                    }
                    LOG.debug("child run_job of {} failed: {}", parent.id(), err == null ? id : err.toString());
                    return new Halt("KBParallel: run_job for a " + plan.app() + " task failed, so the app failed: "
                            + errorText(err, id));
                })
                .thenCompose(halt -> halt == null ? submitPending() : CompletableFuture.completedFuture(halt));
    }

    /**
     * The params object of a child's run_job. {@link ChildShape#KBPARALLEL}: exactly what
     * KBParallel 0.4.3's {@code Job.run_remotely} sends, keys in its order: {@code method},
     * {@code params} (the task's parameters in a list), {@code service_ver}, {@code parent_job_id}
     * (what the caller passed to run_batch: null for kb_Bowtie2 and kb_hisat2), {@code app_id}
     * (the module alone), {@code wsid} (the caller's workspace_id, usually null) and
     * {@code remote_url} (the EE2 URL it calls). {@link ChildShape#LINKED}: the old assumption,
     * with the parent's job id and {@code app_id} "Module/function".
     */
    static ObjectNode childParams(ChildPlan plan, String parentJobId, Long parentWsid, URI ee2Url) {
        ObjectNode p = NODES.objectNode();
        p.put("method", plan.app());
        if (plan.shape() == ChildShape.LINKED) {
            p.put("app_id", plan.app().replace('.', '/'));
            p.putArray("params").addObject();
            p.put("service_ver", SERVICE_VER);
            p.put("parent_job_id", parentJobId);
            Long wsid = plan.wsid() != null ? plan.wsid() : parentWsid;
            if (wsid != null) {
                p.put("wsid", wsid);
            }
            p.putObject("meta").put("run_id", "child");
            return p;
        }
        p.putArray("params").addObject();
        p.put("service_ver", SERVICE_VER);
        p.putNull("parent_job_id");
        p.put("app_id", plan.app().substring(0, Math.max(0, plan.app().indexOf('.'))));
        if (plan.wsid() != null) {
            p.put("wsid", plan.wsid());
        } else {
            p.putNull("wsid");
        }
        p.put("remote_url", ee2Url.toString());
        return p;
    }

    /** What the app's error says: EE2's (or a proxy's) message, the HTTP status, or the failure. */
    static String errorText(Throwable err, JsonNode result) {
        Throwable cause = cause(err);
        if (cause == null) {
            return "no job id in the answer (" + result + ")";
        }
        if (cause instanceof Ee2CallError e && e.error() != null) {
            JsonNode m = e.error().path("message");
            return m.isTextual() ? m.textValue() : e.getMessage();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private static Throwable cause(Throwable err) {
        return err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    }

    private static boolean isEe2Error(Throwable err) {
        return cause(err) instanceof Ee2CallError e && e.error() != null;
    }
}
