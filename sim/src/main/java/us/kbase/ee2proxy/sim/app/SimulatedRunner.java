package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.sim.scheduler.Job;

/**
 * kbase/JobRunner in miniature: once HTCondor starts the job it calls {@code start_job}, asks
 * {@code check_job_canceled} about once a (scaled) second while the job works, and reports the
 * end with {@code finish_job}, all with the owner's token through the run's EE2 URL, so a proxy
 * in front sees every step. Like JobRunner's loop, it asks again only after the previous answer
 * (then waits the second): a slow EE2 gets fewer checks, never a pile of them.
 */
final class SimulatedRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedRunner.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long MIN_CHECK_MILLIS = 100;

    private final Job job;
    private final AppProfile profile;
    private final boolean fails;
    private final RunSettings settings;
    private final JobExecution execution;
    private volatile boolean checking = true;
    private volatile ScheduledFuture<?> nextCheck;

    SimulatedRunner(Job job, AppProfile profile, boolean fails, RunSettings settings, JobExecution execution) {
        this.job = job;
        this.profile = profile;
        this.fails = fails;
        this.settings = settings;
        this.execution = execution;
    }

    void start() {
        call("execution_engine2.start_job", jobIdParams()).whenComplete((r, err) -> {
            if (err != null) {
                failed("start_job", err);
                return;
            }
            scheduleCheck();
            execution.work(job, profile, settings, this::finish);
        });
    }

    private void scheduleCheck() {
        if (checking) {
            nextCheck = execution.timer().schedule(JobExecution.guarded(this::checkCanceled),
                    Math.max(MIN_CHECK_MILLIS, settings.millis(1)), TimeUnit.MILLISECONDS);
            if (!checking) {
                stopChecks(); // stopped while it was being scheduled
            }
        }
    }

    private void checkCanceled() {
        if (!checking || execution.forgotten(job)) {
            return; // a reset forgot the job: its runner is gone with the run
        }
        call("execution_engine2.check_job_canceled", jobIdParams()).whenComplete((r, err) -> {
            if (err == null && r != null && (r.path("canceled").asBoolean() || r.path("finished").asBoolean())) {
                stopChecks();
            } else {
                scheduleCheck();
            }
        });
    }

    /** finish_job: in error with {@code error} (a parent's failed child submission), or the profile's failure. */
    private void finish(String error) {
        stopChecks();
        ObjectNode p = jobIdParams();
        String why = error != null ? error : fails ? JobExecution.simulatedFailure(profile) : null;
        if (why != null) {
            p.put("error_message", why);
            p.put("error_code", 1);
        } else {
            p.putObject("job_output").put("version", "1.1").put("id", job.id()).putArray("result").addObject();
        }
        call("execution_engine2.finish_job", p).whenComplete((r, err) -> {
            if (err != null) {
                failed("finish_job", err);
            }
        });
    }

    private void stopChecks() {
        checking = false;
        ScheduledFuture<?> f = nextCheck;
        if (f != null) {
            f.cancel(false);
        }
    }

    /**
     * A refusal for a job cancelled or forgotten meanwhile is part of the game (a reset drops the
     * calls of the jobs it forgets); any other failure, a dropped call of a job still alive
     * included, leaves the job stuck for good, which a run must be able to explain.
     */
    private void failed(String method, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (!execution.alive(job)) {
            LOG.debug("{} {} failed: {}", method, job.id(), cause.toString());
        } else {
            LOG.warn("{} {} failed ({}): the job stays {}", method, job.id(), cause.toString(), job.status());
        }
    }

    private ObjectNode jobIdParams() {
        return NODES.objectNode().put("job_id", job.id());
    }

    private CompletableFuture<JsonNode> call(String method, JsonNode params) {
        return execution.call(job, "runner", settings, method, params);
    }
}
