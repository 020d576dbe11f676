package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.sim.scheduler.Job;

/**
 * A running KBParallel-style parent: submits its children with {@code run_job}
 * ({@code parent_job_id}, the owner's token, {@code app_id}) to the run's EE2 URL, keeps at
 * most {@code concurrent_njsw_tasks} outstanding, polls each with {@code check_job} (every 1 s,
 * then 5 s, then 15 s, scaled by the speed), resubmits a failed child up to {@code max_retries}
 * times (an EE2 error reply to run_job counts as a failed child), and finishes when every child
 * has completed or used up its retries.
 */
final class ParallelApp {
    private static final Logger LOG = LoggerFactory.getLogger(ParallelApp.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Simulated polls shorter than this would only burn the CPU the run shares. */
    private static final long MIN_POLL_MILLIS = 20;

    private final Job parent;
    private final ChildPlan plan;
    private final RunSettings settings;
    private final Ee2Client client;
    private final ScheduledExecutorService timer;
    private final Runnable done;
    private final BooleanSupplier alive;
    private final int[] attempts;
    private final Deque<Integer> pending = new ArrayDeque<>();
    private int outstanding;
    private int settled;
    private boolean finished;

    ParallelApp(Job parent, ChildPlan plan, RunSettings settings, Ee2Client client,
                ScheduledExecutorService timer, Runnable done, BooleanSupplier alive) {
        this.parent = parent;
        this.plan = plan;
        this.settings = settings;
        this.client = client;
        this.timer = timer;
        this.done = done;
        this.alive = alive;
        this.attempts = new int[plan.count()];
        for (int i = 0; i < plan.count(); i++) {
            pending.add(i);
        }
    }

    void start() {
        submitMore();
    }

    private void submitMore() {
        boolean allSettled;
        synchronized (this) {
            if (stopped()) {
                return;
            }
            while (outstanding < plan.concurrent() && !pending.isEmpty()) {
                int index = pending.poll();
                outstanding++;
                attempts[index]++;
                submit(index);
            }
            allSettled = settled == plan.count() && !finished;
            if (allSettled) {
                finished = true;
            }
        }
        if (allSettled) {
            done.run();
        }
    }

    /** Cancelled, finished, or forgotten by a reset: the app stops submitting and polling. */
    private boolean stopped() {
        return !alive.getAsBoolean();
    }

    private void submit(int index) {
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
        client.call(settings.ee2Url(), parent.spec().token(), "execution_engine2.run_job", p)
                .whenComplete((id, err) -> {
                    if (err != null || id == null || !id.isTextual()) {
                        LOG.debug("child run_job of {} failed: {}", parent.id(), err == null ? id : err.toString());
                        childSettled(index, false);
                    } else {
                        poll(id.textValue(), index, 0);
                    }
                });
    }

    private void poll(String childId, int index, int polls) {
        if (stopped()) {
            return;
        }
        long delay = Math.max(MIN_POLL_MILLIS, settings.millis(backoffSeconds(polls)));
        timer.schedule(JobExecution.guarded(() -> {
            if (stopped()) {
                return;
            }
            ObjectNode q = NODES.objectNode().put("job_id", childId);
            client.call(settings.ee2Url(), parent.spec().token(), "execution_engine2.check_job", q)
                    .whenComplete((state, err) -> {
                        if (isEe2Error(err)) {
                            // KBParallel's check raises on an EE2 error: the child counts as failed.
                            childSettled(index, false);
                            return;
                        }
                        String status = err == null && state != null ? state.path("status").asText() : "";
                        switch (status) {
                            case "completed" -> childSettled(index, true);
                            case "error", "terminated" -> childSettled(index, false);
                            default -> poll(childId, index, polls + 1);
                        }
                    });
        }), delay, TimeUnit.MILLISECONDS);
    }

    private static boolean isEe2Error(Throwable err) {
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                ? err.getCause() : err;
        return cause instanceof Ee2CallError e && e.error() != null;
    }

    /** KBParallel's back-off: every second at first, then every 5 s, then every 15 s. */
    static double backoffSeconds(int polls) {
        return polls < 10 ? 1 : polls < 22 ? 5 : 15;
    }

    private void childSettled(int index, boolean ok) {
        synchronized (this) {
            outstanding--;
            if (!ok && attempts[index] <= plan.maxRetries()) {
                pending.add(index);
            } else {
                settled++;
            }
        }
        submitMore();
    }
}
