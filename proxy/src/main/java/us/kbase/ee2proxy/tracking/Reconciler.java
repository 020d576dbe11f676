package us.kbase.ee2proxy.tracking;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.ledger.ResilientLedger;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.ledger.TrackedJob;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;
import us.kbase.ee2proxy.policy.request.JobCreation;

/**
 * Makes the ledger agree with EE2, the truth, every interval: releases the leases of tracked jobs
 * EE2 reports finished (a finish the proxy never saw: another route to EE2, a replica that died
 * mid-call), and adopts active jobs the proxy never admitted (submitted before it was deployed,
 * or past it), classified by the current policy. Needs a service token with EE2_ADMIN_RO; without
 * one it does nothing and says so once, and lease expiry is the only healing.
 *
 * <p>Runs on its own thread (never an event loop), one EE2 call at a time, in bounded batches
 * and pages, so a pass costs EE2 little however many jobs there are. A failed call skips its
 * batch until the next pass; nothing is released on a failure.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Bound on one ledger call seen from here; the ledger has its own, shorter, timeouts. */
    private static final Duration LEDGER_WAIT = Duration.ofSeconds(10);

    /** What one pass did. */
    public record Pass(int checked, int released, int seen, int adopted, int failures) {}

    private final SlotLedger ledger;
    private final Ee2Client ee2;
    private final Supplier<AdmissionPolicy> policy;
    private final ReconcileSettings settings;
    private final ScheduledExecutorService thread;
    private final Counter released;
    private final Counter adopted;
    private final Counter failures;
    private final Counter passes;
    private volatile JobProgress progress = JobProgress.NONE;

    public Reconciler(SlotLedger ledger, Ee2Client ee2, Supplier<AdmissionPolicy> policy, ReconcileSettings settings,
            MetricRegistry metrics) {
        this.ledger = ledger;
        this.ee2 = ee2;
        this.policy = policy;
        this.settings = settings;
        this.thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("ee2proxy-reconciler", true));
        this.released = metrics.counter("ee2proxy.reconciler.leases.released");
        this.adopted = metrics.counter("ee2proxy.reconciler.leases.adopted");
        this.failures = metrics.counter("ee2proxy.reconciler.failures");
        this.passes = metrics.counter("ee2proxy.reconciler.passes");
    }

    /**
     * Who is told the state EE2 reports for each tracked job the pass checks (the status pages'
     * children: queued, running, or how they ended), before a finished one is released. Asks EE2
     * nothing more.
     */
    public Reconciler progress(JobProgress listener) {
        this.progress = listener == null ? JobProgress.NONE : listener;
        return this;
    }

    /** Schedules a pass every interval (the first one interval from now), if a service token is set. */
    public Reconciler start() {
        if (!settings.enabled()) {
            LOG.warn("reconciler off: no service token ({} unset). Leases of jobs that finish out of the proxy's "
                    + "sight are freed only when they expire, and jobs it never saw are not counted.",
                    ReconcileSettings.TOKEN_ENV);
            return this;
        }
        LOG.info("reconciler on: every {} s, adopting active jobs updated in the last {} h",
                settings.interval().toSeconds(), settings.adoptWindow().toHours());
        if (ledger instanceof ResilientLedger shared) {
            // A Redis that lost its data is counted again from EE2 at once, before it decides.
            shared.rebuildWith(this::passNow);
        }
        long every = settings.interval().toMillis();
        thread.scheduleWithFixedDelay(this::passQuietly, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    private void passQuietly() {
        try {
            Pass p = runPass();
            if (p.released() + p.adopted() + p.failures() > 0) {
                LOG.info("reconciled: {} tracked jobs checked, {} finished released, {} active jobs seen, {} adopted, {} "
                        + "failed calls", p.checked(), p.released(), p.seen(), p.adopted(), p.failures());
            }
        } catch (RuntimeException e) {
            // Never let one bad pass end the schedule.
            failures.inc();
            LOG.warn("reconcile pass failed: {}", e.toString());
        }
    }

    /** A pass on the reconciler's thread, now; true once it ran without a failed call. */
    private CompletionStage<Boolean> passNow() {
        return CompletableFuture.supplyAsync(() -> {
            Pass p = runPass();
            LOG.info("rebuilt the ledger from EE2: {} active jobs seen, {} adopted, {} failed calls", p.seen(),
                    p.adopted(), p.failures());
            return p.failures() == 0;
        }, thread);
    }

    /**
     * Runs one pass now on the calling thread (tests, an admin endpoint); blocks until done, each
     * call bounded by its timeout. Does nothing without a service token.
     */
    public Pass runPass() {
        if (!settings.enabled()) {
            return new Pass(0, 0, 0, 0, 0);
        }
        passes.inc();
        int[] fails = {0};
        int[] releases = {0};
        Map<String, String> owners = trackedOwners();
        releaseFinished(owners, releases, fails);
        int[] adoptions = {0};
        int seen = adoptUnseen(owners, adoptions, fails);
        return new Pass(owners.size(), releases[0], seen, adoptions[0], fails[0]);
    }

    /** Every bound lease's job id, with the ledger user holding it. */
    private Map<String, String> trackedOwners() {
        Map<String, String> owners = new HashMap<>();
        for (String user : await(ledger.users())) {
            for (TrackedJob job : await(ledger.trackedJobs(user))) {
                owners.put(job.jobId(), user);
            }
        }
        return owners;
    }

    /** Asks EE2 about every tracked job, a batch at a time. */
    private void releaseFinished(Map<String, String> owners, int[] releases, int[] fails) {
        List<String> ids = new ArrayList<>(owners.keySet());
        for (int from = 0; from < ids.size(); from += settings.batchSize()) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + settings.batchSize()));
            for (Ee2Job job : check(batch, fails)) {
                tell(job);
                String owner = owners.get(job.jobId());
                if (job.terminal() && owner != null && await(ledger.releaseJob(owner, job.jobId()))) {
                    releases[0]++;
                    released.inc();
                }
            }
        }
    }

    private void tell(Ee2Job job) {
        JobProgress p = progress;
        if (job.status() != null && p.watches(job.jobId())) {
            try {
                p.seen(job.jobId(), job.status());
            } catch (RuntimeException e) {
                LOG.debug("recording the state of job {} failed: {}", job.jobId(), e.toString());
            }
        }
    }

    /**
     * One batch's states. EE2 fails a whole check_jobs when one id is unknown, so a refused batch
     * is asked one job at a time; a job EE2 will not report keeps its lease (expiry frees it).
     */
    private List<Ee2Job> check(List<String> batch, int[] fails) {
        try {
            return ee2.checkJobs(settings.serviceToken(), batch, true, false).join();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof Ee2CallException ee2Error && ee2Error.refused()) || batch.size() == 1) {
                fails[0]++;
                failures.inc();
                LOG.debug("check_jobs of {} jobs failed: {}", batch.size(), e.getCause().toString());
                return List.of();
            }
        }
        List<Ee2Job> jobs = new ArrayList<>();
        for (String id : batch) {
            jobs.addAll(check(List.of(id), fails));
        }
        return jobs;
    }

    /**
     * Adopts the active jobs EE2 lists for the adopt window that no lease covers ({@code tracked}
     * keep the claim they were admitted with). Oldest first, by job id (an ObjectId: its creation
     * time, then EE2's counter), so a child or nested parent is classified after its own parent
     * and gets its parent and true depth; the order EE2 lists them in ties on the update time.
     */
    private int adoptUnseen(Map<String, String> tracked, int[] adoptions, int[] fails) {
        long now = System.currentTimeMillis();
        long start = now - settings.adoptWindow().toMillis();
        AdmissionPolicy current = policy.get();
        Map<String, Map<String, SlotClaim>> parents = new HashMap<>();
        List<Ee2Job> active = new ArrayList<>();
        for (int page = 0; page < settings.maxPages(); page++) {
            Ee2Client.JobPage jobs;
            try {
                jobs = ee2.checkJobsDateRangeForAll(settings.serviceToken(), start, now, page * settings.pageSize(),
                        settings.pageSize()).join();
            } catch (CompletionException e) {
                fails[0]++;
                failures.inc();
                LOG.debug("check_jobs_date_range_for_all failed: {}", e.getCause().toString());
                break;
            }
            for (Ee2Job job : jobs.jobs()) {
                if (!job.terminal() && !job.batchContainer() && job.input() != null && job.user() != null) {
                    active.add(job);
                }
            }
            if (jobs.jobs().size() < settings.pageSize()) {
                break;
            }
        }
        active.sort(Comparator.comparing(Ee2Job::jobId));
        for (Ee2Job job : active) {
            if (!tracked.containsKey(job.jobId()) && adopt(current, job, parents)) {
                adoptions[0]++;
                adopted.inc();
            }
        }
        return active.size();
    }

    private boolean adopt(AdmissionPolicy current, Ee2Job job, Map<String, Map<String, SlotClaim>> parents) {
        Map<String, SlotClaim> known = parents.computeIfAbsent(job.user(), this::parentClaims);
        Classification c = Classifier.classify(current, new JobCreation.RunJob(job.input(), false), job.user(),
                ParentLookup.of(job.user(), known), RetryLookup.NONE);
        if (c.exempt() || c.claims().isEmpty()) {
            return false;
        }
        SlotClaim claim = c.claims().get(0);
        if (claim.parent()) {
            parents.computeIfAbsent(c.ledgerUser(), this::parentClaims).put(job.jobId(), claim);
        }
        return await(ledger.adopt(c.ledgerUser(), job.jobId(), claim));
    }

    /** The user's tracked parents, so an adopted child of a tracked parent is classified as one. */
    private Map<String, SlotClaim> parentClaims(String user) {
        Map<String, SlotClaim> claims = new HashMap<>();
        for (TrackedJob job : await(ledger.trackedJobs(user))) {
            if (job.claim().parent()) {
                claims.put(job.jobId(), job.claim());
            }
        }
        return claims;
    }

    private static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(LEDGER_WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
