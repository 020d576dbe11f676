package us.kbase.ee2proxy.tracking;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.admission.AdmissionGate;
import us.kbase.ee2proxy.admission.Caller;
import us.kbase.ee2proxy.admission.Verdict;
import us.kbase.ee2proxy.jsonrpc.Ee2Method;
import us.kbase.ee2proxy.jsonrpc.Ee2Reply;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.ledger.SlotLedger;

/**
 * Frees a job's lease as soon as a call passing through shows the job has finished: a successful
 * {@code finish_job}, {@code cancel_job} or terminal {@code update_job_status}, or a terminal
 * state in any {@code check_*} / {@code get_job_status} reply. The reconciler and lease expiry
 * catch whatever never passes through.
 *
 * <p>Cheap by construction, since this sits on the fast path: calls of no interest get
 * {@link Verdict#FORWARD_NOW} (nothing allocated); a status reply is scanned for a terminal word
 * before it is parsed, replies over {@code maxReplyBytes} are left to the reconciler, and a small
 * local set of recently released job ids keeps the runner's once-a-second
 * {@code check_job_canceled} of a finished job (and every terminal job of a workspace listing) from
 * reaching the ledger again. Ledger work is started, never awaited: the reply is never delayed.
 */
public final class JobTracker implements AdmissionGate {
    private static final Logger LOG = LoggerFactory.getLogger(JobTracker.class);

    /** Reply size above which status replies are not read (listings: the reconciler sees those jobs). */
    public static final int DEFAULT_MAX_REPLY_BYTES = 256 * 1024;

    private final SlotLedger ledger;
    private final int maxReplyBytes;
    private final Cache<String, Boolean> recentlyReleased;
    private final Counter released;
    private final Counter releaseFailures;

    public JobTracker(SlotLedger ledger, MetricRegistry metrics) {
        this(ledger, metrics, DEFAULT_MAX_REPLY_BYTES, 100_000, Duration.ofHours(1));
    }

    /**
     * @param maxReplyBytes status replies larger than this are not read
     * @param recentSize how many released job ids are remembered locally
     * @param recentFor how long each is remembered
     */
    public JobTracker(SlotLedger ledger, MetricRegistry metrics, int maxReplyBytes, long recentSize, Duration recentFor) {
        this.ledger = ledger;
        this.maxReplyBytes = maxReplyBytes;
        this.recentlyReleased = Caffeine.newBuilder().maximumSize(recentSize).expireAfterWrite(recentFor).build();
        this.released = metrics.counter("ee2proxy.tracking.leases.released");
        this.releaseFailures = metrics.counter("ee2proxy.tracking.release.failures");
    }

    /**
     * What to do with a call that creates no job: forward it, observing the reply when it can
     * reveal finished jobs. Runs on the event loop; never blocks.
     */
    public CompletionStage<Verdict> observe(SniffResult.Call call) {
        Ee2Method method = call.method();
        return switch (method) {
            case FINISH_JOB, CANCEL_JOB -> lifecycle(call);
            case UPDATE_JOB_STATUS -> call.status() != null && Ee2Reply.JobState.TERMINAL_STATUSES.contains(call.status())
                    ? lifecycle(call)
                    : Verdict.FORWARD_NOW;
            case CHECK_JOB, CHECK_JOBS, CHECK_JOB_BATCH, CHECK_WORKSPACE_JOBS, CHECK_JOB_CANCELED, GET_JOB_STATUS,
                    CHECK_JOBS_DATE_RANGE_FOR_USER, CHECK_JOBS_DATE_RANGE_FOR_ALL ->
                    CompletableFuture.completedFuture(Verdict.forward(new StatusReplyObserver(call, this)));
            default -> Verdict.FORWARD_NOW;
        };
    }

    /** The {@link AdmissionGate} face, for the admission gate to delegate non-creating calls to. */
    @Override
    public CompletionStage<Verdict> decide(SniffResult.Call call, Caller caller) {
        return observe(call);
    }

    private CompletionStage<Verdict> lifecycle(SniffResult.Call call) {
        if (call.jobIds().isEmpty()) {
            return Verdict.FORWARD_NOW;
        }
        return CompletableFuture.completedFuture(Verdict.forward(new LifecycleReplyObserver(call, this)));
    }

    int maxReplyBytes() {
        return maxReplyBytes;
    }

    /** Releases the lease of each finished job not released lately; returns at once. */
    void finished(List<String> jobIds) {
        for (String jobId : jobIds) {
            if (jobId == null || recentlyReleased.asMap().putIfAbsent(jobId, Boolean.TRUE) != null) {
                continue;
            }
            ledger.releaseJob(jobId).whenComplete((freed, error) -> {
                if (error != null) {
                    // Forget it, so the next terminal reply about it tries again.
                    recentlyReleased.invalidate(jobId);
                    releaseFailures.inc();
                    LOG.debug("could not release job {}: {}", jobId, error.toString());
                } else if (freed) {
                    released.inc();
                }
            });
        }
    }

    /** Whether {@code jobId} was released by this replica lately (tests, the reconciler). */
    boolean releasedLately(String jobId) {
        return recentlyReleased.getIfPresent(jobId) != null;
    }
}
