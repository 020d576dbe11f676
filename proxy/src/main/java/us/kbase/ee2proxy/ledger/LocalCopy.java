package us.kbase.ee2proxy.ledger;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;

/**
 * {@code redis.onFailure: local} (one replica only: the policy refuses it otherwise): an in-memory
 * ledger decides everything, always, and every step it takes (the decisions too, under the same
 * ticket) is written behind to Redis in order, so that Redis is the copy a restarted replica loads
 * its counts from. Nothing is decided before that load ({@link #loaded}).
 *
 * <p>Writes go behind through {@code behind} ({@link Outage#behind}): the journal, written back at
 * once by the recovery thread, in order.
 */
final class LocalCopy {
    private static final Logger log = LoggerFactory.getLogger(ResilientLedger.class);

    private final InMemorySlotLedger local;
    private final RedisSlotLedger shared;
    private final CallsInFlight flights;
    private final BiConsumer<String, Supplier<CompletionStage<?>>> behind;
    private volatile boolean loaded;

    LocalCopy(InMemorySlotLedger local, RedisSlotLedger shared, CallsInFlight flights,
            BiConsumer<String, Supplier<CompletionStage<?>>> behind) {
        this.local = local;
        this.shared = shared;
        this.flights = flights;
        this.behind = behind;
    }

    /** The ledger that decides and answers every read. */
    InMemorySlotLedger ledger() {
        return local;
    }

    /** The counts were loaded from Redis: decisions are taken from now on. */
    boolean loaded() {
        return loaded;
    }

    CompletionStage<Admission> tryAcquire(String user, String ticket, SlotDemand demand) {
        return local.tryAcquire(user, ticket, demand).thenApply(taken -> {
            if (taken.admitted()) {
                flights.admitted(user, ticket, demand.claims());
                behind.accept("acquire " + ticket, () -> shared.tryAcquire(user, ticket, demand.anyway()));
            }
            return taken;
        });
    }

    CompletionStage<List<String>> bind(String user, String ticket, List<String> jobIds, List<SlotClaim> claims) {
        return local.bind(user, ticket, jobIds).thenApply(bound -> {
            behind.accept("bind " + ticket, () -> flights.keepBound(user, ticket, jobIds, claims));
            return bound;
        });
    }

    CompletionStage<Integer> releaseTicket(String user, String ticket) {
        return local.releaseTicket(user, ticket).thenApply(freed -> {
            behind.accept("release ticket " + ticket, () -> shared.releaseTicket(user, ticket));
            return freed;
        });
    }

    CompletionStage<Boolean> releaseJob(String jobId) {
        return local.releaseJob(jobId).thenApply(freed -> {
            behind.accept("release job " + jobId, () -> shared.releaseJob(jobId));
            return freed;
        });
    }

    CompletionStage<Boolean> releaseJob(String user, String jobId) {
        return local.releaseJob(user, jobId).thenApply(freed -> {
            behind.accept("release job " + jobId, () -> shared.releaseJob(user, jobId));
            return freed;
        });
    }

    /** Decided here; the release written behind as the job index here found it. */
    CompletionStage<SlotLedger.OwnedRelease> releaseJobOf(String claimant, String jobId) {
        return local.releaseJobOf(claimant, jobId).thenApply(done -> {
            if (done.owner().isEmpty()) {
                behind.accept("release job " + jobId, () -> shared.releaseJob(jobId));
            } else if (done.owner().get().equals(claimant)) {
                behind.accept("release job " + jobId, () -> shared.releaseJob(claimant, jobId));
            }
            return done;
        });
    }

    CompletionStage<Boolean> adopt(String user, String jobId, SlotClaim claim) {
        return local.adopt(user, jobId, claim).thenApply(added -> {
            behind.accept("adopt " + jobId, () -> shared.adopt(user, jobId, claim));
            return added;
        });
    }

    /** Recovery thread: this replica's counts start from the copy in Redis (the reconciler adds the rest). */
    void load() throws Exception {
        int n = 0;
        for (String user : RecoveryThread.await(shared.users())) {
            for (TrackedJob job : RecoveryThread.await(shared.trackedJobs(user))) {
                RecoveryThread.await(local.adopt(user, job.jobId(), job.claim()));
                n++;
            }
        }
        loaded = true;
        log.info("redis.onFailure: local: {} leases loaded from Redis; this replica decides on its own counts "
                + "from now on", n);
    }

    /** Redis lost its copy: every bound lease is written to it again. Recovery thread. */
    void rewrite() throws Exception {
        for (String user : RecoveryThread.await(local.users())) {
            for (TrackedJob job : RecoveryThread.await(local.trackedJobs(user))) {
                behind.accept("adopt " + job.jobId() + " (Redis lost its copy)",
                        () -> shared.adopt(user, job.jobId(), job.claim()));
            }
        }
    }

    void close() {
        local.close();
    }
}
