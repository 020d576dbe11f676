package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * The Redis ledger as a replica uses it, with everything that happens when Redis fails. This class
 * only routes each step: what happens when Redis fails, and why the caps still hold, is {@link
 * Outage} (the state machine, its rules and invariants), carried out by {@link OutageJournal},
 * {@link LedgerRebuild}, {@link CallsInFlight} and, for {@code redis.onFailure: local}, {@link
 * LocalCopy}.
 */
public final class ResilientLedger implements SlotLedger {
    private static final Logger log = LoggerFactory.getLogger(ResilientLedger.class);

    private final RedisSlotLedger shared;
    private final Outage outage;
    /** {@code local} mode: the arrangement that decides and answers reads; null otherwise. */
    private final LocalCopy local;
    private final CallsInFlight flights;
    private final ReleaseListeners listeners = new ReleaseListeners();

    /**
     * @param shared the Redis ledger; its calls are bounded by a timeout sized for a job-creating
     *     call (seconds: a busy JVM stalls for 100 ms and more, and that alone must change nothing)
     * @param mode the policy's failure mode, read at each decision (WAIT, REFUSE and ADMIT switch
     *     on reload; LOCAL is read here, once: it is another arrangement, see {@link LocalCopy})
     * @param rebuildFromEe2 whether a rebuilder ({@link #rebuildWith}) will come: when Redis lost its
     *     data, decisions then wait for it rather than going on with what is left
     * @param probeEvery how often Redis is asked while it fails, and its generation read
     */
    public ResilientLedger(RedisSlotLedger shared, Supplier<RedisFailureMode> mode, LeaseTerms terms,
            boolean rebuildFromEe2, Duration probeEvery, MetricRegistry metrics) {
        this.shared = shared;
        this.outage = new Outage(shared, mode, terms, rebuildFromEe2, probeEvery, metrics, this::wake);
        this.local = outage.local();
        this.flights = outage.flights();
        metrics.gauge("ledger.degraded", () -> (Gauge<Integer>) () -> outage.state() == Outage.State.DECIDING ? 0 : 1);
        metrics.gauge("ledger.journal", () -> (Gauge<Integer>) this::owed);
        shared.onRelease(this::wake);
        if (local != null) {
            local.ledger().onRelease(this::wake);
        }
        outage.start(probeEvery);
        if (local == null && !rebuildFromEe2) {
            OutageLog.withoutToken();
        }
    }

    /**
     * The reconciler: a pass adopting every active job EE2 lists; completes true once one ran
     * without a failure. Run at once when Redis has lost its data.
     */
    public void rebuildWith(Supplier<CompletionStage<Boolean>> pass) {
        outage.rebuildWith(pass);
    }

    /** Whether Redis decides now: it answers, nothing is owed to it, and its data is what this replica knows. */
    public boolean redisDecides() {
        return outage.redisDecides();
    }

    /** Whether decisions are currently not taken. */
    public boolean degraded() {
        return outage.state() != Outage.State.DECIDING;
    }

    /** Writes Redis has not had yet. */
    public int owed() {
        return outage.owed();
    }

    // ---- decisions and writes: the state machine decides who takes them

    @Override
    public CompletionStage<Admission> tryAcquire(String user, String ticket, SlotDemand demand) {
        return outage.tryAcquire(user, ticket, demand);
    }

    @Override
    public CompletionStage<List<String>> bind(String user, String ticket, List<String> jobIds) {
        List<SlotClaim> claims = flights.bound(user, ticket);
        if (local != null) {
            return local.bind(user, ticket, jobIds, claims);
        }
        List<String> named = claims == null ? jobIds : jobIds.subList(0, Math.min(jobIds.size(), claims.size()));
        return outage.write("bind " + ticket, () -> flights.keepBound(user, ticket, jobIds, claims), named);
    }

    @Override
    public CompletionStage<Integer> releaseTicket(String user, String ticket) {
        flights.released(user, ticket);
        if (local != null) {
            return local.releaseTicket(user, ticket);
        }
        return outage.write("release ticket " + ticket, () -> shared.releaseTicket(user, ticket), 0);
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String jobId) {
        if (local != null) {
            return local.releaseJob(jobId);
        }
        return outage.write("release job " + jobId, () -> shared.releaseJob(jobId), false);
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String user, String jobId) {
        if (local != null) {
            return local.releaseJob(user, jobId);
        }
        return outage.write("release job " + jobId, () -> shared.releaseJob(user, jobId), false);
    }

    /**
     * One Redis call while nothing is owed to it. Otherwise the owner is read and the release
     * written as two steps (the release then goes into the journal, in order); LOCAL: decided here,
     * the release written behind. A failure is the caller's, as a failed {@link #jobOwner} is: the
     * release may have run, and releasing again is harmless.
     */
    @Override
    public CompletionStage<OwnedRelease> releaseJobOf(String claimant, String jobId) {
        if (local != null) {
            return local.releaseJobOf(claimant, jobId);
        }
        if (!outage.nothingOwed()) {
            return SlotLedger.super.releaseJobOf(claimant, jobId);
        }
        return outage.read(shared.releaseJobOf(claimant, jobId));
    }

    @Override
    public CompletionStage<Boolean> adopt(String user, String jobId, SlotClaim claim) {
        if (local != null) {
            return local.adopt(user, jobId, claim);
        }
        return outage.write("adopt " + jobId, () -> shared.adopt(user, jobId, claim), true);
    }

    // ---- reads: from whoever decides; a Redis that fails is an error for the caller

    @Override
    public CompletionStage<Optional<String>> jobOwner(String jobId) {
        return local != null ? local.ledger().jobOwner(jobId) : outage.read(shared.jobOwner(jobId));
    }

    @Override
    public CompletionStage<UserCounts> counts(String user) {
        return local != null ? local.ledger().counts(user) : outage.read(shared.counts(user));
    }

    @Override
    public CompletionStage<Optional<SlotClaim>> parentClaim(String user, String jobId) {
        return local != null ? local.ledger().parentClaim(user, jobId) : outage.read(shared.parentClaim(user, jobId));
    }

    @Override
    public CompletionStage<List<TrackedJob>> trackedJobs(String user) {
        return local != null ? local.ledger().trackedJobs(user) : outage.read(shared.trackedJobs(user));
    }

    @Override
    public CompletionStage<UserLeases> leases(String user) {
        return local != null ? local.ledger().leases(user) : outage.read(shared.leases(user));
    }

    @Override
    public CompletionStage<Set<String>> users() {
        return local != null ? local.ledger().users() : outage.read(shared.users());
    }

    @Override
    public void onRelease(Consumer<String> listener) {
        listeners.add(listener);
    }

    private void wake(String user) {
        listeners.wake(user);
    }

    @Override
    public void close() {
        int left = outage.stop();
        if (left > 0) {
            log.warn("closing with {} writes Redis has not had (their leases expire, or the reconciler corrects them)",
                    left);
        }
        if (local != null) {
            local.close();
        }
        shared.close();
    }
}
