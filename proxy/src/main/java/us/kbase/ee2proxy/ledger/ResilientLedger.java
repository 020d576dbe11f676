package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.ledger.OutageReplay.Flight;
import us.kbase.ee2proxy.ledger.OutageReplay.UserTicket;

/**
 * The shared (Redis) ledger with the policy's fallback when it fails: after a failed call this
 * replica is "degraded" and decides at once, without waiting on Redis, per {@link RedisFailureMode}:
 * LOCAL on an in-memory ledger of what it admitted since the outage began, on top of what Redis
 * last said about the user ({@link OutageBaseline}); ADMIT (counted in that same local ledger); or
 * REFUSE ({@link Admission.Verdict#LEDGER_UNAVAILABLE}).
 *
 * <p>A background task probes Redis while degraded; when it answers, the outage is replayed
 * ({@link OutageReplay}). Tickets still in flight (admitted locally, EE2 not answered yet) are taken in
 * Redis as provisional leases under the same ticket, so Redis counts them before it decides again;
 * their bind then goes to Redis. Only then does this replica decide on Redis again, and it
 * replays once more at once for a decision that raced the switch. The local ledger holds only
 * what Redis does not yet, so a decision on Redis always adds what is still here: a lease taken
 * here during a replay (a call that failed over late) counts before it has moved.
 *
 * <p>The baseline is kept by Redis's own replies (acquire, adopt, counts, stamped with Redis time),
 * so a replay's adopt both moves a lease and tells the baseline Redis now holds it: the sum
 * baseline + local never drops below the truth while a lease moves.
 *
 * <p>Several replicas in LOCAL mode each decide on their own baseline during an outage, so
 * together they may admit beyond a cap until Redis returns; REFUSE is the mode that never does.
 */
public final class ResilientLedger implements SlotLedger {
    private static final Logger log = LoggerFactory.getLogger(ResilientLedger.class);
    /** Not a possible KBase user name ([a-z0-9_]): probing never touches a real user's keys. */
    private static final String PROBE_USER = "(probe)";

    private final SlotLedger shared;
    private final InMemorySlotLedger local;
    private final Supplier<RedisFailureMode> mode;
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final Cache<UserTicket, Flight> flights;
    /**
     * Acquires sent to Redis and not answered yet. Redis may admit one after this replica has turned
     * degraded, and the baseline learns of it only from the reply: until then a local decision counts
     * it as taken (found by RedisRestartTest under load: a 6th and 7th parent).
     */
    private final Map<UserTicket, SlotDemand> sentToRedis = new ConcurrentHashMap<>();
    private final OutageBaseline baseline;
    private final OutageReplay missed;
    private final ScheduledExecutorService recovery;
    private final Counter fallbacks;

    /**
     * @param shared the Redis ledger (its calls must be bounded: they decide how long a request
     *     waits before the fallback)
     * @param mode the policy's current failure mode (read at each decision: hot reload applies)
     * @param probeEvery how often to try Redis again while degraded, and to replay stragglers
     */
    public ResilientLedger(RedisSlotLedger shared, Supplier<RedisFailureMode> mode, LeaseTerms terms,
            Duration probeEvery, MetricRegistry metrics) {
        this.shared = shared;
        this.local = new InMemorySlotLedger(terms);
        this.mode = mode;
        this.flights = Caffeine.newBuilder().expireAfterWrite(terms.provisional().multipliedBy(2)).build();
        this.baseline = new OutageBaseline(Duration.ofHours(1), terms.bound());
        shared.observeCounts(baseline::seen);
        this.fallbacks = metrics.counter("ledger.fallback.decisions");
        this.missed = new OutageReplay(shared, local, baseline, flights, metrics.counter("ledger.fallback.replayed"));
        metrics.gauge("ledger.degraded", () -> (Gauge<Integer>) () -> degraded.get() ? 1 : 0);
        this.recovery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ledger-recovery");
            t.setDaemon(true);
            return t;
        });
        recovery.scheduleWithFixedDelay(this::recover, probeEvery.toMillis(), probeEvery.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** What this replica holds that Redis does not (yet): for tests in this package. */
    InMemorySlotLedger held() {
        return local;
    }

    /** Whether decisions are currently taken without Redis. */
    public boolean degraded() {
        return degraded.get();
    }

    @Override
    public CompletionStage<Admission> tryAcquire(String user, String ticket, SlotDemand demand) {
        UserTicket key = new UserTicket(user, ticket);
        return sharedOr(
                () -> {
                    // Leases held here are not in Redis yet (an outage's, until replayed): Redis
                    // decides on what it holds plus these.
                    UserCounts here = local.countsIfAny(user);
                    SlotDemand asked = here.jobs() == 0 ? demand : OutageBaseline.beyond(demand, here);
                    sentToRedis.put(key, demand);
                    // Off the list before the fallback below runs for the same call, and after the
                    // reply has told the baseline (observeCounts runs first).
                    return shared.tryAcquire(user, ticket, asked)
                            .whenComplete((answer, error) -> sentToRedis.remove(key, demand))
                            .thenApply(admission -> {
                                if (admission.admitted()) {
                                    flights.put(key, new Flight(demand, false));
                                }
                                return new Admission(admission.verdict(), withHeld(admission.counts(), here));
                            });
                },
                () -> {
                    // A call that timed out may still have run in Redis: free it there on return.
                    missed.ticketRelease(key);
                    return fallbackAcquire(key, demand);
                });
    }

    private CompletionStage<Admission> fallbackAcquire(UserTicket key, SlotDemand demand) {
        fallbacks.inc();
        RedisFailureMode now = mode.get();
        if (now == RedisFailureMode.REFUSE) {
            return CompletableFuture.completedFuture(Admission.unavailable());
        }
        UserCounts base = baselineWithSent(key.user());
        SlotDemand asked = now == RedisFailureMode.ADMIT ? demand.unlimited() : OutageBaseline.beyond(demand, base);
        return local.tryAcquire(key.user(), key.ticket(), asked).thenApply(admission -> {
            if (admission.admitted()) {
                flights.put(key, new Flight(demand, true));
            }
            return new Admission(admission.verdict(), OutageBaseline.sum(base, admission.counts()));
        });
    }

    /** Redis's counts plus what is held here and not in Redis yet (nearly always nothing). */
    private static UserCounts withHeld(UserCounts there, UserCounts here) {
        return here.jobs() == 0 ? there : OutageBaseline.sum(there, here);
    }

    /** What Redis last said of {@code user}, plus the acquires on their way through Redis now. */
    private UserCounts baselineWithSent(String user) {
        List<SlotClaim> sent = new ArrayList<>();
        sentToRedis.forEach((key, demand) -> {
            if (key.user().equals(user)) {
                sent.addAll(demand.claims());
            }
        });
        UserCounts base = baseline.of(user);
        return sent.isEmpty() ? base : OutageBaseline.plus(base, sent, 1);
    }

    @Override
    public CompletionStage<List<String>> bind(String user, String ticket, List<String> jobIds) {
        UserTicket key = new UserTicket(user, ticket);
        Flight flight = flights.asMap().remove(key);
        boolean localFlight = flight != null && flight.local();
        if (localFlight && degraded.get()) {
            return local.bind(user, ticket, jobIds);
        }
        if (localFlight) {
            // Adopted in Redis before the local leases go: the counts never dip below the truth.
            return adoptAll(user, flight.demand, jobIds)
                    .whenComplete((bound, error) -> local.releaseTicket(user, ticket));
        }
        return sharedOr(
                () -> shared.bind(user, ticket, jobIds).thenApply(bound -> {
                    if (flight != null) {
                        remember(user, flight.demand.claims(), jobIds, bound);
                    }
                    return bound;
                }),
                () -> {
                    missed.ticketRelease(key);
                    if (flight == null) {
                        return CompletableFuture.completedFuture(List.of());
                    }
                    // The leases move here: taken locally first, then taken off what Redis last
                    // said (the other order let a decision in between see one lease too few), and
                    // forgotten there, so that their release does not subtract them again.
                    CompletionStage<List<String>> adopted = adoptAll(user, flight.demand, jobIds).thenApply(bound -> {
                        // A job refused here finished meanwhile; the failed bind may still have run
                        // in Redis, where only a release naming the user frees it.
                        jobIds.stream().filter(id -> !bound.contains(id) && local.releasedUnowned(id))
                                .forEach(id -> missed.jobRelease(user, id));
                        return bound;
                    });
                    baseline.add(user, flight.demand.claims(), -1);
                    jobIds.forEach(baseline::forget);
                    return adopted;
                });
    }

    private void remember(String user, List<SlotClaim> claims, List<String> jobIds, List<String> bound) {
        for (int i = 0; i < Math.min(claims.size(), jobIds.size()); i++) {
            if (bound.contains(jobIds.get(i))) {
                baseline.bound(user, jobIds.get(i), claims.get(i));
            }
        }
    }

    /** Claim i becomes job i's lease, wherever leases go now. */
    private CompletionStage<List<String>> adoptAll(String user, SlotDemand demand, List<String> jobIds) {
        List<SlotClaim> claims = demand.claims();
        List<CompletableFuture<Boolean>> adopted = new ArrayList<>();
        int n = Math.min(claims.size(), jobIds.size());
        for (int i = 0; i < n; i++) {
            adopted.add(adopt(user, jobIds.get(i), claims.get(i)).toCompletableFuture());
        }
        return CompletableFuture.allOf(adopted.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<String> bound = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (adopted.get(i).join()) {
                    bound.add(jobIds.get(i));
                }
            }
            return bound;
        });
    }

    @Override
    public CompletionStage<Integer> releaseTicket(String user, String ticket) {
        UserTicket key = new UserTicket(user, ticket);
        Flight flight = flights.asMap().remove(key);
        if (flight != null && flight.local()) {
            return local.releaseTicket(user, ticket);
        }
        return sharedOr(() -> shared.releaseTicket(user, ticket), () -> {
            missed.ticketRelease(key);
            if (flight == null) {
                return CompletableFuture.completedFuture(0);
            }
            baseline.add(user, flight.demand.claims(), -1);
            return CompletableFuture.completedFuture(flight.demand.claims().size());
        });
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String jobId) {
        String owner = local.ownerOf(jobId);
        if (owner == null) {
            owner = baseline.ownerOf(jobId);
        }
        if (owner != null) {
            // Release it with its owner: Redis then keeps a tombstone even for a job it has not
            // been told about yet (replay in progress).
            return releaseJob(owner, jobId);
        }
        return sharedOr(() -> shared.releaseJob(jobId), () -> {
            missed.jobRelease(null, jobId);
            return local.releaseJob(jobId); // remembered as gone: a bind of it meanwhile takes nothing
        });
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String user, String jobId) {
        boolean freedLocally = local.releaseJob(user, jobId).toCompletableFuture().join();
        return sharedOr(
                () -> shared.releaseJob(user, jobId).thenApply(freed -> {
                    baseline.forget(jobId);
                    return freed || freedLocally;
                }),
                () -> {
                    missed.jobRelease(user, jobId);
                    if (freedLocally) {
                        baseline.forget(jobId); // its lease was here, not in what Redis last said
                    } else {
                        baseline.jobReleased(jobId);
                    }
                    return CompletableFuture.completedFuture(freedLocally);
                });
    }

    @Override
    public CompletionStage<Optional<String>> jobOwner(String jobId) {
        String owner = local.ownerOf(jobId);
        if (owner == null) {
            owner = baseline.ownerOf(jobId);
        }
        if (owner != null) {
            return CompletableFuture.completedFuture(Optional.of(owner));
        }
        // Unknown here while Redis is down is not "no owner": the lookup fails.
        return sharedOr(() -> shared.jobOwner(jobId), () -> CompletableFuture.failedFuture(
                new LedgerUnavailableException("Redis is down and job " + jobId + " is not known here", null)));
    }

    @Override
    public CompletionStage<UserCounts> counts(String user) {
        return sharedOr(
                () -> shared.counts(user).thenApply(there -> withHeld(there, local.countsIfAny(user))),
                () -> local.counts(user).thenApply(here -> OutageBaseline.sum(baselineWithSent(user), here)));
    }

    @Override
    public CompletionStage<Optional<SlotClaim>> parentClaim(String user, String jobId) {
        Optional<SlotClaim> here = local.parentClaim(user, jobId).toCompletableFuture().join();
        if (here.isPresent()) {
            return CompletableFuture.completedFuture(here);
        }
        return sharedOr(
                () -> shared.parentClaim(user, jobId).thenApply(claim -> {
                    claim.ifPresent(parent -> baseline.bound(user, jobId, parent));
                    return claim;
                }),
                () -> {
                    // Unknown is not "no parent": the caller decides what a lookup that failed means.
                    return baseline.ownerOf(jobId) != null
                            ? CompletableFuture.completedFuture(baseline.parentClaim(user, jobId))
                            : CompletableFuture.failedFuture(new LedgerUnavailableException(
                                    "Redis is down and job " + jobId + " is not known here", null));
                });
    }

    @Override
    public CompletionStage<Boolean> adopt(String user, String jobId, SlotClaim claim) {
        return sharedOr(
                () -> shared.adopt(user, jobId, claim).thenApply(added -> {
                    if (added) {
                        baseline.bound(user, jobId, claim);
                    }
                    return added;
                }),
                () -> local.adopt(user, jobId, claim));
    }

    @Override
    public CompletionStage<List<TrackedJob>> trackedJobs(String user) {
        List<TrackedJob> here = local.trackedJobs(user).toCompletableFuture().join();
        return sharedOr(() -> shared.trackedJobs(user), () -> CompletableFuture.completedFuture(List.<TrackedJob>of()))
                .thenApply(there -> {
                    List<TrackedJob> all = new ArrayList<>(there);
                    all.addAll(here);
                    return all;
                });
    }

    @Override
    public CompletionStage<Set<String>> users() {
        Set<String> here = local.users().toCompletableFuture().join();
        return sharedOr(shared::users, () -> CompletableFuture.completedFuture(Set.<String>of()))
                .thenApply(there -> {
                    Set<String> all = new HashSet<>(there);
                    all.addAll(here);
                    return Set.copyOf(all);
                });
    }

    @Override
    public void onRelease(Consumer<String> listener) {
        local.onRelease(listener);
        shared.onRelease(listener);
    }

    @Override
    public void close() {
        recovery.shutdownNow();
        local.close();
        shared.close();
    }

    /** Redis while healthy, the fallback at once while degraded or when the call fails. */
    private <T> CompletionStage<T> sharedOr(
            Supplier<CompletionStage<T>> onShared, Supplier<CompletionStage<T>> fallback) {
        if (degraded.get()) {
            return fallback.get();
        }
        return onShared.get().handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            markDown(error);
            return fallback.get();
        }).thenCompose(Function.identity());
    }

    private void markDown(Throwable error) {
        if (degraded.compareAndSet(false, true)) {
            log.warn("Shared ledger unavailable ({}); deciding per policy ({}) until it answers",
                    error.getMessage(), mode.get());
        }
    }

    /** On the recovery thread: probe while degraded; replay whatever Redis missed. */
    private void recover() {
        try {
            if (degraded.get()) {
                shared.counts(PROBE_USER).toCompletableFuture().join();
            } else if (!missed.owed()) {
                return;
            }
            missed.replay();
            if (degraded.compareAndSet(true, false)) {
                missed.replay(); // a decision that raced the switch
                log.warn("Shared ledger answers again; outage replayed");
            }
        } catch (RuntimeException e) {
            if (degraded.get()) {
                log.debug("Shared ledger still unavailable", e);
            } else {
                markDown(e);
            }
        }
    }
}
