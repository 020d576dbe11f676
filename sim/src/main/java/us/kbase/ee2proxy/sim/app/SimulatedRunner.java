package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.sim.scheduler.Job;

/**
 * kbase/JobRunner in miniature: once HTCondor starts the job it calls {@code start_job}, asks
 * {@code check_job_canceled} about once a (scaled) second while the job works, and reports the
 * end with {@code finish_job}, all with the owner's token through the run's EE2 URL, so a proxy
 * in front sees every step.
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
    private volatile ScheduledFuture<?> canceledChecks;

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
                LOG.debug("start_job {} failed: {}", job.id(), err.toString());
                return;
            }
            long every = Math.max(MIN_CHECK_MILLIS, settings.millis(1));
            canceledChecks = execution.timer().scheduleWithFixedDelay(
                    JobExecution.guarded(this::checkCanceled), every, every, TimeUnit.MILLISECONDS);
            execution.work(job, profile, settings, this::finish);
        });
    }

    private void checkCanceled() {
        call("execution_engine2.check_job_canceled", jobIdParams()).whenComplete((r, err) -> {
            if (err == null && r != null && (r.path("canceled").asBoolean() || r.path("finished").asBoolean())) {
                stopChecks();
            }
        });
    }

    private void finish() {
        stopChecks();
        ObjectNode p = jobIdParams();
        if (fails) {
            p.put("error_message", "Simulated failure of " + profile.method());
            p.put("error_code", 1);
        } else {
            p.putObject("job_output").put("version", "1.1").put("id", job.id()).putArray("result").addObject();
        }
        call("execution_engine2.finish_job", p).whenComplete((r, err) -> {
            if (err != null) {
                LOG.debug("finish_job {} failed: {}", job.id(), err.toString());
            }
        });
    }

    private void stopChecks() {
        ScheduledFuture<?> f = canceledChecks;
        if (f != null) {
            f.cancel(false);
        }
    }

    private ObjectNode jobIdParams() {
        return NODES.objectNode().put("job_id", job.id());
    }

    private CompletableFuture<JsonNode> call(String method, JsonNode params) {
        return execution.client().call(settings.ee2Url(), job.spec().token(), method, params);
    }
}
