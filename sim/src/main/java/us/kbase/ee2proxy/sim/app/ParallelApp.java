package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.sim.scheduler.Job;

/**
 * A running KBParallel-style parent, shaped like KBParallel's {@code TaskManager.execute_all}:
 * one loop that checks every running child ({@code check_job}), then submits pending children
 * one after another ({@code run_job} with {@code parent_job_id}, the owner's token and
 * {@code app_id}; each call waits for its answer, however long a proxy holds it) while fewer
 * than {@code concurrent_njsw_tasks} run, then sleeps: 1 s until 20 s have passed, 5 s until
 * 300 s, then 15 s (scaled by the speed). A child that fails (an EE2 error reply to
 * {@code run_job} included) goes back to pending until it has used {@code max_retries}; the
 * parent finishes when every child has succeeded or used its retries.
 */
final class ParallelApp {
    private static final Logger LOG = LoggerFactory.getLogger(ParallelApp.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Simulated sleeps shorter than this would only burn the CPU the run shares. */
    private static final long MIN_SLEEP_MILLIS = 20;

    private final Job parent;
    private final ChildPlan plan;
    private final RunSettings settings;
    private final Ee2Client client;
    private final ScheduledExecutorService timer;
    private final Runnable done;
    private final BooleanSupplier alive;
    private final BiConsumer<String, Long> requested;
    private final int[] attempts;
    /** KBParallel pops pending tasks from the end of its list. */
    private final List<Integer> pending = new ArrayList<>();
    private final List<Running> running = new ArrayList<>();
    private int settled;
    /** Touched only by the loop's turns, which never overlap. */
    private double sleptSeconds;

    /** A started child; {@code jobId} null when its run_job failed (it fails at the next check). */
    private record Running(int task, String jobId) {}

    ParallelApp(Job parent, ChildPlan plan, RunSettings settings, Ee2Client client,
                ScheduledExecutorService timer, Runnable done, BooleanSupplier alive,
                BiConsumer<String, Long> requested) {
        this.parent = parent;
        this.plan = plan;
        this.settings = settings;
        this.client = client;
        this.timer = timer;
        this.done = done;
        this.alive = alive;
        this.requested = requested;
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
        if (!alive.getAsBoolean()) {
            return; // cancelled, finished, or forgotten by a reset
        }
        checkRunning().thenCompose(v -> submitPending()).whenComplete((v, err) -> {
            if (err != null) {
                LOG.warn("parallel app {} failed a turn", parent.id(), err);
            }
            if (allSettled()) {
                if (alive.getAsBoolean()) {
                    done.run();
                }
                return;
            }
            double seconds = sleepSeconds(sleptSeconds);
            sleptSeconds += seconds;
            timer.schedule(JobExecution.guarded(this::loop), Math.max(MIN_SLEEP_MILLIS, settings.millis(seconds)),
                    TimeUnit.MILLISECONDS);
        });
    }

    /** KBParallel's generate_sleep_interval, given the seconds slept so far. */
    static double sleepSeconds(double sleptSoFar) {
        return sleptSoFar < 20 ? 1 : sleptSoFar < 300 ? 5 : 15;
    }

    private CompletableFuture<Void> checkRunning() {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (Running r : runningNow()) {
            if (r.jobId() == null) {
                settle(r, false);
                continue;
            }
            ObjectNode q = NODES.objectNode().put("job_id", r.jobId());
            checks.add(client.call(settings.ee2Url(), parent.spec().token(), "execution_engine2.check_job", q)
                    .handle((state, err) -> {
                        if (isEe2Error(err)) {
                            settle(r, false); // KBParallel's check raises: the task failed
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

    private synchronized List<Running> runningNow() {
        return List.copyOf(running);
    }

    private synchronized boolean allSettled() {
        return settled == plan.count();
    }

    private synchronized void settle(Running r, boolean ok) {
        running.remove(r);
        failedOrDone(r.task(), ok);
    }

    private synchronized void failedOrDone(int task, boolean ok) {
        if (!ok && attempts[task] <= plan.maxRetries()) {
            pending.add(task);
        } else {
            settled++;
        }
    }

    /** Submits pending children one at a time, each after the previous answer, up to the limit. */
    private CompletableFuture<Void> submitPending() {
        int task;
        synchronized (this) {
            if (!alive.getAsBoolean() || running.size() >= plan.concurrent() || pending.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            task = pending.remove(pending.size() - 1);
            attempts[task]++;
        }
        long sentAt = System.currentTimeMillis();
        return client.call(settings.ee2Url(), parent.spec().token(), "execution_engine2.run_job", childParams())
                .handle((id, err) -> {
                    boolean ok = err == null && id != null && id.isTextual();
                    if (ok) {
                        requested.accept(id.textValue(), sentAt);
                    } else {
                        LOG.debug("child run_job of {} failed: {}", parent.id(), err == null ? id : err.toString());
                    }
                    // As in KBParallel, a failed start still takes its place until the next check.
                    synchronized (this) {
                        running.add(new Running(task, ok ? id.textValue() : null));
                    }
                    return null;
                })
                .thenCompose(v -> submitPending());
    }

    private ObjectNode childParams() {
        ObjectNode p = NODES.objectNode();
        p.put("method", plan.app());
        p.put("app_id", plan.app().replace('.', '/'));
        p.putArray("params").addObject();
        p.put("service_ver", "release");
        p.put("parent_job_id", parent.id());
        if (parent.spec().wsid() != null) {
            p.put("wsid", parent.spec().wsid());
        }
        p.putObject("meta").put("run_id", "child");
        return p;
    }

    private static boolean isEe2Error(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        return cause instanceof Ee2CallError e && e.error() != null;
    }
}
