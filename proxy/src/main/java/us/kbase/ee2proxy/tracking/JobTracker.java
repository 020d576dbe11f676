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
 * Frees a job's lease as soon as EE2 itself shows the job has finished: its success for a
 * {@code finish_job}, {@code cancel_job} or terminal {@code update_job_status} of that job, or a
 * terminal state in any {@code check_*} / {@code get_job_status} reply. The reconciler and lease
 * expiry catch whatever never passes through.
 *
 * <p>A lifecycle call frees only the job EE2 acted on (its {@code job_id}; EE2 ignores any other
 * id the params name), only once EE2 answered success for that very call, and only a lease its
 * caller owns, or any lease when the caller is an EE2 admin (job runners finish jobs with the
 * owner's token, so owners are the common case). A lifecycle call for a job no lease is bound to
 * yet still marks it finished (EE2 can start and finish a job before its run_job reply is back),
 * without asking who called. A {@code cancel_job} EE2 accepted so is also told to
 * {@link #onAppCancelled} ({@link CancelledApps}: a cancelled parallel app's waiting children are
 * answered), even for a job released lately. What EE2 so shows of a job's progress (a start_job
 * or finish_job it accepted, a cancel, a terminal state in a reply) is also told to
 * {@link #onProgress} for the jobs it watches (the status pages' unfinished children); a
 * start_job or update to running is observed only for those, after one lookup.
 *
 * <p>Cheap by construction, since this sits on the fast path: calls of no interest get
 * {@link Verdict#FORWARD_NOW} (nothing allocated); a status reply is scanned for a terminal word
 * before it is parsed, replies over {@code maxReplyBytes} are left to the reconciler, and a small
 * local set of recently released job ids keeps the runner's once-a-second
 * {@code check_job_canceled} of a finished job (and every terminal job of a workspace listing) from
 * reaching the ledger again. The caller's identity (auth2, cached) is asked only when EE2 succeeded
 * for a lifecycle call whose job holds a lease. Ledger work is started, never awaited: the reply is
 * never delayed.
 */
public final class JobTracker implements AdmissionGate {
    private static final Logger LOG = LoggerFactory.getLogger(JobTracker.class);

    /** Reply size above which status replies are not read (listings: the reconciler sees those jobs). */
    public static final int DEFAULT_MAX_REPLY_BYTES = 256 * 1024;

    private final SlotLedger ledger;
    private final CallerIdentity callers;
    private final int maxReplyBytes;
    private final Cache<String, Boolean> recentlyReleased;
    private final Counter released;
    private final Counter releaseFailures;
    private final Counter notOwner;
    private volatile AppCancelled appCancelled;
    private volatile JobProgress progress = JobProgress.NONE;

    public JobTracker(SlotLedger ledger, CallerIdentity callers, MetricRegistry metrics) {
        this(ledger, callers, metrics, DEFAULT_MAX_REPLY_BYTES, 100_000, Duration.ofHours(1));
    }

    /**
     * @param callers who made a lifecycle call, asked before it frees a lease
     * @param maxReplyBytes status replies larger than this are not read
     * @param recentSize how many released job ids are remembered locally
     * @param recentFor how long each is remembered
     */
    public JobTracker(SlotLedger ledger, CallerIdentity callers, MetricRegistry metrics, int maxReplyBytes,
            long recentSize, Duration recentFor) {
        this.ledger = ledger;
        this.callers = callers;
        this.maxReplyBytes = maxReplyBytes;
        this.recentlyReleased = Caffeine.newBuilder().maximumSize(recentSize).expireAfterWrite(recentFor).build();
        this.released = metrics.counter("ee2proxy.tracking.leases.released");
        this.releaseFailures = metrics.counter("ee2proxy.tracking.release.failures");
        this.notOwner = metrics.counter("ee2proxy.tracking.release.not_owner");
    }

    /**
     * What to do with a call that creates no job: forward it, observing the reply when it can
     * reveal finished jobs. Runs on the event loop; never blocks.
     */
    @Override
    public CompletionStage<Verdict> decide(SniffResult.Call call, Caller caller) {
        Ee2Method method = call.method();
        return switch (method) {
            case FINISH_JOB, CANCEL_JOB -> lifecycle(call, caller);
            case START_JOB -> running(call);
            case UPDATE_JOB_STATUS -> call.status() != null && Ee2Reply.JobState.TERMINAL_STATUSES.contains(call.status())
                    ? lifecycle(call, caller)
                    : "running".equals(call.status()) ? running(call) : Verdict.FORWARD_NOW;
            case CHECK_JOB, CHECK_JOBS, CHECK_JOB_BATCH, CHECK_WORKSPACE_JOBS, CHECK_JOB_CANCELED, GET_JOB_STATUS,
                    CHECK_JOBS_DATE_RANGE_FOR_USER, CHECK_JOBS_DATE_RANGE_FOR_ALL ->
                    CompletableFuture.completedFuture(Verdict.forward(new StatusReplyObserver(call, this)));
            default -> Verdict.FORWARD_NOW;
        };
    }

    private CompletionStage<Verdict> lifecycle(SniffResult.Call call, Caller caller) {
        String jobId = call.jobId();
        String token = caller == null ? null : caller.authorization();
        boolean appCancel = call.method() == Ee2Method.CANCEL_JOB && appCancelled != null;
        if (jobId == null || token == null || token.isBlank() || (releasedLately(jobId) && !appCancel)) {
            // EE2 acts on no job, refuses the call, or this one is free already (a cancel is still
            // watched: its parallel app's waiting children are answered whenever it comes)
            return Verdict.FORWARD_NOW;
        }
        return CompletableFuture.completedFuture(Verdict.forward(new LifecycleReplyObserver(call, jobId, token, this)));
    }

    /**
     * A start_job (or update to running) of a job {@link #onProgress its listener} watches: once
     * EE2 accepts it, the job runs. Any other job's: forwarded as before, after one lookup.
     */
    private CompletionStage<Verdict> running(SniffResult.Call call) {
        String jobId = call.jobId();
        if (jobId == null || !progress.watches(jobId)) {
            return Verdict.FORWARD_NOW;
        }
        return CompletableFuture.completedFuture(Verdict.forward(new ProgressReplyObserver(call, "running", this)));
    }

    /**
     * Who is told of each job's progress that EE2 showed in a call passing through: a start_job
     * or finish_job it accepted, a cancel_job it accepted ("cancelled"), a terminal state in a
     * status reply. Set once, before calls pass.
     */
    public void onProgress(JobProgress listener) {
        this.progress = listener == null ? JobProgress.NONE : listener;
    }

    /** Tells the progress listener, if it watches {@code jobId}; never throws. */
    void progressed(String jobId, String status) {
        JobProgress p = progress;
        if (jobId == null || status == null || !p.watches(jobId)) {
            return;
        }
        try {
            p.seen(jobId, status);
        } catch (RuntimeException e) {
            LOG.warn("recording the progress of job {} failed: {}", jobId, e.toString());
        }
    }

    int maxReplyBytes() {
        return maxReplyBytes;
    }

    /** Releases the lease of each job EE2 reported finished and not released lately; returns at once. */
    void finished(List<String> jobIds) {
        for (String jobId : jobIds) {
            if (jobId == null || recentlyReleased.asMap().putIfAbsent(jobId, Boolean.TRUE) != null) {
                continue;
            }
            watch(jobId, ledger.releaseJob(jobId), true);
        }
    }

    /**
     * EE2 answered success to a lifecycle call of {@code token}'s owner for {@code jobId}: frees
     * the job's lease if that caller owns it or is an EE2 admin; returns at once.
     */
    void finishedBy(String token, String jobId) {
        finishedBy(token, jobId, false);
    }

    /**
     * As {@link #finishedBy(String, String)}; for a {@code cancel} also tells
     * {@link #onAppCancelled its listener} whose job was cancelled: the lease's owner when the
     * caller is that owner or an EE2 admin, else (no lease known) the caller, whose own waiting
     * calls alone can then be touched. A cancel by anyone else tells nothing.
     */
    void finishedBy(String token, String jobId, boolean cancel) {
        AppCancelled told = cancel ? appCancelled : null;
        boolean free = !releasedLately(jobId);
        if (!free && told == null) {
            return;
        }
        CompletionStage<Boolean> freed = free && told == null
                ? callers.user(token).handle((user, unverified) -> unverified != null
                        ? afterOwnerLookup(token, jobId, null, true)
                        : releaseClaimed(token, user, jobId)).thenCompose(stage -> stage)
                : afterOwnerLookup(token, jobId, told, free);
        watch(jobId, freed, false);
    }

    /**
     * A finish by its caller {@code user}: in one ledger call when the caller owns the job (the
     * usual case: a job runner finishing its own job), else as {@link #afterOwnerLookup} goes on.
     */
    private CompletionStage<Boolean> releaseClaimed(String token, String user, String jobId) {
        return ledger.releaseJobOf(user, jobId).handle((done, unknown) -> {
            if (unknown != null) {
                // The ledger cannot tell: free it only from the caller's own leases (see below).
                return ledger.releaseJob(user, jobId);
            }
            if (done.owner().isEmpty() || done.owner().get().equals(user)) {
                return CompletableFuture.completedFuture(done.freed());
            }
            return freeOthers(token, done.owner().get(), jobId, null, true);
        }).thenCompose(stage -> stage);
    }

    /** The owner looked up first, then freed by whoever may: a cancel (told), or the caller unknown. */
    private CompletionStage<Boolean> afterOwnerLookup(String token, String jobId, AppCancelled told, boolean free) {
        return ledger.jobOwner(jobId).handle((owner, unknown) -> {
            if (unknown != null) {
                // The ledger cannot tell (Redis down, the job not known here): free it only from
                // the caller's own leases; the release reaches Redis when it is back.
                return callers.user(token).thenCompose(user -> {
                    tell(told, user, jobId);
                    return free ? ledger.releaseJob(user, jobId) : CompletableFuture.completedFuture(false);
                });
            }
            if (owner.isEmpty()) {
                if (told != null) {
                    callers.user(token).thenAccept(user -> tell(told, user, jobId));
                }
                // No lease bound to it: marked finished, so that a bind arriving late frees it.
                return free ? ledger.releaseJob(jobId) : CompletableFuture.completedFuture(false);
            }
            return freeOthers(token, owner.get(), jobId, told, free);
        }).thenCompose(stage -> stage);
    }

    private CompletionStage<Boolean> freeOthers(String token, String owner, String jobId, AppCancelled told,
            boolean free) {
        return callers.mayFree(token, owner).thenCompose(allowed -> {
            if (!allowed) {
                notOwner.inc();
                LOG.debug("a finish of job {} by someone who is neither its owner {} nor an EE2 admin frees nothing",
                        jobId, owner);
                return CompletableFuture.completedFuture(false);
            }
            tell(told, owner, jobId);
            return free ? ledger.releaseJob(owner, jobId) : CompletableFuture.completedFuture(false);
        });
    }

    /**
     * Who is told of every cancel_job EE2 accepted from the job's owner or an EE2 admin (the
     * cancelled parallel app's waiting children are answered). Set once, before calls pass.
     */
    public void onAppCancelled(AppCancelled listener) {
        this.appCancelled = listener;
    }

    private static void tell(AppCancelled told, String owner, String jobId) {
        if (told == null) {
            return;
        }
        try {
            told.cancelled(owner, jobId);
        } catch (RuntimeException e) {
            LOG.warn("answering the waiting children of cancelled job {} failed: {}", jobId, e.toString());
        }
    }

    /**
     * Counts a release; forgets the job on failure (so the next reply about it tries again), and
     * remembers it once freed.
     */
    private void watch(String jobId, CompletionStage<Boolean> release, boolean remembered) {
        release.whenComplete((freed, error) -> {
            if (error != null) {
                if (remembered) {
                    recentlyReleased.invalidate(jobId);
                }
                releaseFailures.inc();
                LOG.debug("could not release job {}: {}", jobId, error.toString());
            } else if (freed) {
                recentlyReleased.put(jobId, Boolean.TRUE);
                released.inc();
            }
        });
    }

    /** Whether {@code jobId} was released by this replica lately (tests, the reconciler, repeated finishes). */
    boolean releasedLately(String jobId) {
        return recentlyReleased.getIfPresent(jobId) != null;
    }
}
