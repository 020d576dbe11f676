package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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

/**
 * The Redis ledger as a replica uses it, with everything that happens when Redis fails: the whole
 * outage logic of the proxy is in this file.
 *
 * <p><b>The property:</b> Redis never counts less than EE2 runs while any replica lets Redis decide.
 * Four rules give it, with any number of replicas:
 * <ol>
 *   <li><b>Redis decides, or nobody does.</b> A decision ({@link #tryAcquire}) is Redis's acquire
 *       script, taken only while {@link #redisDecides()}: Redis answered this replica's last call,
 *       the journal below is empty, and Redis holds the data set this replica knows (its
 *       generation). Otherwise, or when the call fails, the answer is {@link
 *       Admission.Verdict#LEDGER_UNAVAILABLE}: the caller decides what that means (the gate holds
 *       the call with {@code redis.onFailure: wait}, refuses it with {@code refuse}). Nothing is
 *       decided on counts kept here. ({@code admit} admits it, and the caps do not hold.)
 *   <li><b>Every write reaches Redis, in order.</b> A bind or release (and an adopt) goes straight
 *       to Redis while nothing is owed to it; once a call has failed, or while the journal is not
 *       empty, it is appended to the journal, which one thread writes back in order as soon as
 *       Redis answers, one step at a time, before Redis decides again. Every step is idempotent in
 *       the scripts (a release frees once and leaves a tombstone that stops a later bind or adopt
 *       of the same job), so a step that failed after it ran is harmless when run again. A bind
 *       that fails keeps what the job may be: it is written back as an adopt of each job with its
 *       claim (so a provisional lease that expired or was wiped meanwhile is not lost), then the
 *       ticket's release. A decision that failed is followed by its ticket's release (it may have
 *       run in Redis): the call retries under the same ticket only after that.
 *   <li><b>A Redis that lost its data is noticed, and rebuilt before it decides.</b> Redis holds a
 *       generation key ({@code <prefix>:generation}, {@code ready:<id>}). Each replica reads it every
 *       {@code probeEvery}, and once more after each admission: if the key is gone or names
 *       another data set, the admission is given back and decisions stop. The first replica to see
 *       it gone writes {@code rebuilding:<id>}; every replica with a rebuilder (the reconciler, with
 *       a service token) runs a pass at once, adopting every active job EE2 lists, and the first
 *       to finish writes {@code ready:<id>}. Without a service token nothing can rebuild: the
 *       replica writes {@code ready:<id>} at once and says so (counts miss the jobs that ran before
 *       the loss until they finish). While Redis is rebuilding, every replica takes the provisional
 *       leases of its calls in flight again (EE2 may not list their jobs yet), and {@code ready} is
 *       written no sooner than two probe intervals after the rebuilder saw it, so each replica had
 *       a probe to do so.
 *   <li><b>A failover is a possible loss.</b> Lease writes wait for the master's replicas ({@link
 *       RedisSlotLedger}); and a decision answered by a replica promoted in place of a master this
 *       replica decided on ({@link MasterWatch}) is given back, and the generation is marked
 *       {@code rebuilding} as in rule 3: the old master may have acknowledged writes the promoted
 *       one never got (with {@code SENTINEL FAILOVER}, every time).
 * </ol>
 * Releases seen while Redis is away therefore never make Redis count less; at worst Redis counts a
 * finished job until the journal is written back (over-counting holds calls, it never over-admits).
 *
 * <p><b>{@code redis.onFailure: local}</b> (one replica only: the policy refuses it otherwise) is
 * another arrangement of the same parts: an in-memory ledger decides everything, always, and every
 * write (the decisions too, under the same ticket) goes to Redis through the same write path, so
 * Redis is the copy a restarted replica loads its counts from. Chosen at start.
 */
public final class ResilientLedger implements SlotLedger {
    private static final Logger log = LoggerFactory.getLogger(ResilientLedger.class);
    private static final String READY = "ready:";
    private static final String REBUILDING = "rebuilding:";
    /** Bound on one written-back step, on the recovery thread (the Redis calls have their own). */
    private static final Duration STEP_WAIT = Duration.ofSeconds(30);

    private record UserTicket(String user, String ticket) {}

    private final RedisSlotLedger shared;
    /** LOCAL mode: the ledger that decides; null otherwise. */
    private final InMemorySlotLedger local;
    private final Supplier<RedisFailureMode> mode;
    private final boolean rebuildFromEe2;
    /** The claims of each ticket taken and not yet bound or released: what a failed bind adopts. */
    private final Cache<UserTicket, List<SlotClaim>> flights;
    /** Writes Redis has not had, oldest first, and whether a call failed since it had them all. */
    private final OutageJournal journal;
    /** The generation id this replica knows (null before the first check). */
    private volatile String known;
    /** Redis holds the data set {@link #known} names, ready. */
    private volatile boolean generationOk;
    /** LOCAL: the counts were loaded from Redis. */
    private volatile boolean loaded;
    private volatile Supplier<CompletionStage<Boolean>> rebuilder;
    private final AtomicBoolean rebuildRunning = new AtomicBoolean();
    /** Users whose decisions were turned away: woken when Redis decides again. */
    private final Set<String> turnedAway = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService recovery;
    private final Counter undecided;
    private final Counter failovers;
    /** The Redis masters this replica decided on: a failover replacing one is seen at the next decision. */
    private final MasterWatch masters = new MasterWatch();
    private final Duration probeEvery;
    /** The rebuilding generation whose in-flight leases this replica wrote again (recovery thread only). */
    private String flightsRewrittenFor;
    /** When this replica first saw the generation {@link #flightsRewrittenFor} rebuilding (recovery thread only). */
    private long rebuildSeenAt;

    /**
     * @param shared the Redis ledger; its calls are bounded by a timeout sized for a job-creating
     *     call (seconds: a busy JVM stalls for 100 ms and more, and that alone must change nothing)
     * @param mode the policy's failure mode, read at each decision (WAIT, REFUSE and ADMIT switch
     *     on reload; LOCAL is read here, once: it is another arrangement, see the class comment)
     * @param rebuildFromEe2 whether a rebuilder ({@link #rebuildWith}) will come: when Redis lost its
     *     data, decisions then wait for it rather than going on with what is left
     * @param probeEvery how often Redis is asked while it fails, and its generation read
     */
    public ResilientLedger(RedisSlotLedger shared, Supplier<RedisFailureMode> mode, LeaseTerms terms,
            boolean rebuildFromEe2, Duration probeEvery, MetricRegistry metrics) {
        this.shared = shared;
        this.mode = mode;
        this.rebuildFromEe2 = rebuildFromEe2;
        this.local = mode.get() == RedisFailureMode.LOCAL ? new InMemorySlotLedger(terms) : null;
        this.flights = Caffeine.newBuilder().expireAfterWrite(terms.provisional().multipliedBy(2)).build();
        this.undecided = metrics.counter("ledger.fallback.decisions");
        this.journal = new OutageJournal(metrics.counter("ledger.fallback.replayed"));
        this.failovers = metrics.counter("ledger.failovers");
        this.probeEvery = probeEvery;
        metrics.gauge("ledger.degraded", () -> (Gauge<Integer>) () -> redisDecides() || local != null && loaded ? 0 : 1);
        metrics.gauge("ledger.journal", () -> (Gauge<Integer>) this::owed);
        shared.onRelease(this::wake);
        if (local != null) {
            local.onRelease(this::wake);
        }
        this.recovery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ledger-recovery");
            t.setDaemon(true);
            return t;
        });
        recovery.scheduleWithFixedDelay(this::tick, 0, probeEvery.toMillis(), TimeUnit.MILLISECONDS);
        if (local == null && !rebuildFromEe2) {
            log.warn("Redis ledger without a service token: if Redis ever loses its data (restarted empty, a failover "
                    + "to a replica that had not synced), the proxy notices and goes on deciding on what Redis then "
                    + "holds: the jobs that ran before the loss are not counted until they finish (a user may get up to "
                    + "that many parallel apps beyond the cap meanwhile). With a service token (EE2_ADMIN_RO) every "
                    + "decision waits until the counts are rebuilt from EE2.");
        }
    }

    /**
     * The reconciler: a pass adopting every active job EE2 lists; completes true once one ran
     * without a failure. Run at once when Redis has lost its data.
     */
    public void rebuildWith(Supplier<CompletionStage<Boolean>> pass) {
        this.rebuilder = pass;
        recovery.execute(this::tick);
    }

    /** Whether Redis decides now: it answers, nothing is owed to it, and its data is what this replica knows. */
    public boolean redisDecides() {
        return journal.clear() && generationOk;
    }

    /** Whether decisions are currently not taken (the {@code ledger.degraded} gauge). */
    public boolean degraded() {
        return local != null ? !loaded : !redisDecides();
    }

    /** Writes Redis has not had yet. */
    public int owed() {
        return journal.size();
    }

    // ---- decisions

    @Override
    public CompletionStage<Admission> tryAcquire(String user, String ticket, SlotDemand demand) {
        UserTicket key = new UserTicket(user, ticket);
        if (local != null) {
            if (!loaded) {
                return turnAway(key, demand);
            }
            return local.tryAcquire(user, ticket, demand).thenApply(taken -> {
                if (taken.admitted()) {
                    flights.put(key, demand.claims());
                    write("acquire " + ticket, () -> shared.tryAcquire(user, ticket, demand.anyway()), null);
                }
                return taken;
            });
        }
        if (!redisDecides()) {
            return turnAway(key, demand);
        }
        String expected = known;
        return shared.decide(user, ticket, demand).handle((decision, error) -> {
            if (error != null) {
                failed(error);
                journal("release ticket " + ticket + " (its acquire failed)", () -> shared.releaseTicket(user, ticket));
                return turnAway(key, demand);
            }
            Admission taken = decision.admission();
            if (masters.see(taken.master()) == MasterWatch.Seen.FAILED_OVER) {
                failedOver(taken.master());
                if (taken.admitted()) {
                    return write("release ticket " + ticket + " (decided on a failed-over master)",
                            () -> shared.releaseTicket(user, ticket), 0).thenCompose(released -> turnAway(key, demand));
                }
            }
            if (!taken.admitted()) {
                return CompletableFuture.completedFuture(taken);
            }
            flights.put(key, demand.claims());
            // Taken on the data set this replica knows? A Redis restarted empty decides on nothing.
            // On one node the acquire script read the generation key itself; on a Cluster it is
            // another call.
            CompletionStage<String> read = decision.generationRead()
                    ? CompletableFuture.completedFuture(decision.generation())
                    : shared.generation(null);
            return read.handle((generation, unread) -> {
                if (unread == null && (READY + expected).equals(generation)) {
                    return CompletableFuture.completedFuture(taken);
                }
                if (unread != null) {
                    failed(unread);
                } else {
                    lost(generation);
                }
                flights.invalidate(key);
                return write("release ticket " + ticket + " (decided on another data set)",
                        () -> shared.releaseTicket(user, ticket), 0).thenCompose(released -> turnAway(key, demand));
            }).thenCompose(Function.identity());
        }).thenCompose(Function.identity());
    }

    /** Redis cannot decide: per the policy, not decided (the caller waits or refuses), or admitted (ADMIT). */
    private CompletionStage<Admission> turnAway(UserTicket key, SlotDemand demand) {
        undecided.inc();
        turnedAway.add(key.user());
        if (local == null && mode.get() == RedisFailureMode.ADMIT) {
            flights.put(key, demand.claims());
            behind("acquire " + key.ticket() + " (admitted without Redis)",
                    () -> shared.tryAcquire(key.user(), key.ticket(), demand.anyway()));
            return CompletableFuture.completedFuture(Admission.admitted(UserCounts.ZERO));
        }
        return CompletableFuture.completedFuture(Admission.unavailable());
    }

    // ---- writes

    @Override
    public CompletionStage<List<String>> bind(String user, String ticket, List<String> jobIds) {
        UserTicket key = new UserTicket(user, ticket);
        List<SlotClaim> claims = flights.asMap().remove(key);
        List<String> named = claims == null ? jobIds : jobIds.subList(0, Math.min(jobIds.size(), claims.size()));
        if (local != null) {
            return local.bind(user, ticket, jobIds).thenApply(bound -> {
                write("bind " + ticket, () -> keepBound(user, ticket, jobIds, claims), null);
                return bound;
            });
        }
        return write("bind " + ticket, () -> keepBound(user, ticket, jobIds, claims), named);
    }

    /**
     * Binds the ticket's leases; a job the bind did not find a provisional lease for (it expired,
     * or Redis lost it) is adopted with its claim: the job exists, so its lease must. Adopt keeps a
     * released job released.
     */
    private CompletionStage<List<String>> keepBound(String user, String ticket, List<String> jobIds,
            List<SlotClaim> claims) {
        return shared.bind(user, ticket, jobIds).thenCompose(bound -> {
            if (claims == null || bound.size() >= Math.min(jobIds.size(), claims.size())) {
                return CompletableFuture.completedFuture(bound);
            }
            List<String> all = new ArrayList<>(bound);
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = 0; i < Math.min(jobIds.size(), claims.size()); i++) {
                String jobId = jobIds.get(i);
                SlotClaim claim = claims.get(i);
                if (!bound.contains(jobId)) {
                    chain = chain.thenCompose(done -> shared.adopt(user, jobId, claim).thenAccept(added -> {
                        if (added) {
                            all.add(jobId);
                        }
                    }));
                }
            }
            return chain.thenApply(done -> all);
        });
    }

    @Override
    public CompletionStage<Integer> releaseTicket(String user, String ticket) {
        flights.invalidate(new UserTicket(user, ticket));
        if (local != null) {
            return local.releaseTicket(user, ticket).thenApply(freed -> {
                write("release ticket " + ticket, () -> shared.releaseTicket(user, ticket), 0);
                return freed;
            });
        }
        return write("release ticket " + ticket, () -> shared.releaseTicket(user, ticket), 0);
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String jobId) {
        if (local != null) {
            return local.releaseJob(jobId).thenApply(freed -> {
                write("release job " + jobId, () -> shared.releaseJob(jobId), false);
                return freed;
            });
        }
        return write("release job " + jobId, () -> shared.releaseJob(jobId), false);
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String user, String jobId) {
        if (local != null) {
            return local.releaseJob(user, jobId).thenApply(freed -> {
                write("release job " + jobId, () -> shared.releaseJob(user, jobId), false);
                return freed;
            });
        }
        return write("release job " + jobId, () -> shared.releaseJob(user, jobId), false);
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
            return local.releaseJobOf(claimant, jobId).thenApply(done -> {
                if (done.owner().isEmpty()) {
                    write("release job " + jobId, () -> shared.releaseJob(jobId), false);
                } else if (done.owner().get().equals(claimant)) {
                    write("release job " + jobId, () -> shared.releaseJob(claimant, jobId), false);
                }
                return done;
            });
        }
        if (!journal.clear()) {
            return SlotLedger.super.releaseJobOf(claimant, jobId);
        }
        return read(shared.releaseJobOf(claimant, jobId));
    }

    @Override
    public CompletionStage<Boolean> adopt(String user, String jobId, SlotClaim claim) {
        if (local != null) {
            return local.adopt(user, jobId, claim).thenApply(added -> {
                write("adopt " + jobId, () -> shared.adopt(user, jobId, claim), false);
                return added;
            });
        }
        return write("adopt " + jobId, () -> shared.adopt(user, jobId, claim), true);
    }

    /**
     * Straight to Redis while nothing is owed to it, else (or when the call fails) into the journal;
     * {@code whenJournaled} is the answer then. LOCAL: always into the journal (written behind, in
     * order).
     */
    private <T> CompletionStage<T> write(String what, Supplier<CompletionStage<T>> call, T whenJournaled) {
        if (local != null) {
            behind(what, call::get);
            return CompletableFuture.completedFuture(whenJournaled);
        }
        if (journal.appendIfOwing(what, call::get)) {
            return CompletableFuture.completedFuture(whenJournaled);
        }
        CompletionStage<T> sent;
        try {
            sent = call.get();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((value, error) -> {
            if (error == null) {
                return value;
            }
            failed(error);
            journal(what, call::get);
            return whenJournaled;
        });
    }

    /** Into the journal, written back at once (in order after everything before it). */
    private void behind(String what, Supplier<CompletionStage<?>> call) {
        if (journal.appendBehind(what, call)) {
            recovery.execute(this::tick);
        }
    }

    private void journal(String what, Supplier<CompletionStage<?>> call) {
        journal.appendFailed(what, call);
    }

    // ---- reads: from whoever decides; a Redis that fails is an error for the caller

    @Override
    public CompletionStage<Optional<String>> jobOwner(String jobId) {
        return local != null ? local.jobOwner(jobId) : read(shared.jobOwner(jobId));
    }

    @Override
    public CompletionStage<UserCounts> counts(String user) {
        return local != null ? local.counts(user) : read(shared.counts(user));
    }

    @Override
    public CompletionStage<Optional<SlotClaim>> parentClaim(String user, String jobId) {
        return local != null ? local.parentClaim(user, jobId) : read(shared.parentClaim(user, jobId));
    }

    @Override
    public CompletionStage<List<TrackedJob>> trackedJobs(String user) {
        return local != null ? local.trackedJobs(user) : read(shared.trackedJobs(user));
    }

    @Override
    public CompletionStage<UserLeases> leases(String user) {
        return local != null ? local.leases(user) : read(shared.leases(user));
    }

    @Override
    public CompletionStage<Set<String>> users() {
        return local != null ? local.users() : read(shared.users());
    }

    private <T> CompletionStage<T> read(CompletionStage<T> call) {
        return call.whenComplete((value, error) -> {
            if (error != null) {
                failed(error);
            }
        });
    }

    @Override
    public void onRelease(Consumer<String> listener) {
        listeners.add(listener);
    }

    private void wake(String user) {
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(user);
            } catch (RuntimeException e) {
                log.warn("release listener failed", e);
            }
        }
    }

    @Override
    public void close() {
        recovery.shutdownNow();
        int left = owed();
        if (left > 0) {
            log.warn("closing with {} writes Redis has not had (their leases expire, or the reconciler corrects them)",
                    left);
        }
        if (local != null) {
            local.close();
        }
        shared.close();
    }

    // ---- failure and recovery

    private void failed(Throwable error) {
        if (journal.markDown()) {
            log.warn("Redis ledger call failed ({}); {} until Redis answers and has every write this replica owes it",
                    error.getMessage(), local != null ? "deciding here, writing to Redis later"
                            : "no decision is taken (redis.onFailure: " + mode.get().name().toLowerCase() + ")");
        }
    }

    private void lost(String generation) {
        if (generationOk) {
            log.error("Redis's ledger data is not the data this replica knew (generation {}, now {}): Redis lost its "
                    + "data (restarted empty, or failed over to a copy that had not synced). No decision until the "
                    + "counts are rebuilt{}", known, generation,
                    rebuildFromEe2 ? " from EE2 (the reconciler adopts every active job at once)"
                            : "; without a service token they cannot be: deciding on what Redis holds now");
        }
        generationOk = false;
        recovery.execute(this::tick);
    }

    /**
     * A decision was answered by a replica promoted in place of a master this replica decided on
     * ({@link MasterWatch}): the old master's last acknowledged writes may be lost, and nothing in
     * the data set shows it. Handled as a lost data set: decisions stop, and the generation becomes
     * {@code rebuilding} (or, without a rebuilder, a new {@code ready} one) for every replica.
     */
    private void failedOver(MasterId master) {
        failovers.inc();
        boolean canRebuild = rebuildFromEe2 && local == null;
        if (generationOk) {
            log.error("Redis failed over: the master deciding (replication id {}) was promoted in place of one this "
                    + "replica decided on ({}), whose last writes may be lost. No decision until the counts are "
                    + "rebuilt{}", master.replid(), master.previous(),
                    canRebuild ? " from EE2 (the reconciler adopts every active job at once)"
                            : "; without a service token they cannot be: deciding on what Redis holds now");
        }
        generationOk = false;
        String fresh = (canRebuild ? REBUILDING : READY) + UUID.randomUUID();
        shared.generationLost(fresh).whenComplete((now, error) -> recovery.execute(this::tick));
    }

    /**
     * On the recovery thread, every probeEvery (and at once when asked): reads Redis's generation
     * (rebuilding it if lost), writes the journal back in order, and once nothing is owed lets Redis
     * decide again and wakes the users whose calls were turned away meanwhile.
     */
    private void tick() {
        try {
            checkGeneration();
            if (local != null && !loaded) {
                load();
            }
            journal.writeBack(STEP_WAIT);
            if (redisDecides() || local != null && loaded) {
                List.copyOf(turnedAway).forEach(user -> {
                    turnedAway.remove(user);
                    wake(user);
                });
            }
        } catch (Exception e) {
            journal.failedAgain(e);
        } catch (Throwable t) {
            log.error("ledger recovery failed", t);
        }
    }

    private void checkGeneration() throws Exception {
        boolean canRebuild = rebuildFromEe2 && local == null;
        String fresh = (canRebuild ? REBUILDING : READY) + UUID.randomUUID();
        String generation = await(shared.generation(fresh));
        if (generation.startsWith(READY)) {
            String id = generation.substring(READY.length());
            if (known != null && !known.equals(id)) {
                log.warn("Redis ledger generation {} replaced {}: Redis lost its data and {}", id, known,
                        generation.equals(fresh) ? "this replica goes on with what it holds now"
                                : "its counts were rebuilt");
                if (local != null) {
                    rewriteLocal(); // Redis is this replica's copy: write it again
                }
                masters.forget(); // rebuilt: every master holds what EE2 runs
            }
            known = id;
            generationOk = true;
            return;
        }
        // rebuilding:<id>: Redis lost its data (or never had any), and it is being counted from EE2.
        String id = generation.substring(REBUILDING.length());
        if (known == null && !generationOk) {
            log.warn("Redis holds no ledger yet, or lost it (generation {} being rebuilt from EE2): no decision until "
                    + "every active job is counted", id);
        } else if (generationOk) {
            log.error("Redis lost its ledger data (generation {} gone, {} being rebuilt from EE2): no decision until "
                    + "every active job is counted", known, id);
        }
        generationOk = false;
        rewriteFlights(id);
        Supplier<CompletionStage<Boolean>> pass = rebuilder;
        if (pass != null && rebuildRunning.compareAndSet(false, true)) {
            pass.get().whenComplete((complete, error) -> {
                if (error == null && complete) {
                    // Not ready before every replica had a probe interval to write its in-flight leases again.
                    long wait = Math.max(0, rebuildSeenAt + 2 * probeEvery.toNanos() - System.nanoTime());
                    recovery.schedule(() -> shared.generationReady(id).whenComplete((now, unread) -> {
                        rebuildRunning.set(false);
                        recovery.execute(this::tick);
                    }), wait, TimeUnit.NANOSECONDS);
                } else {
                    rebuildRunning.set(false);
                    log.warn("rebuilding the ledger from EE2 did not complete ({}); trying again",
                            error != null ? error.toString() : "a call failed");
                    recovery.schedule(this::tick, 1, TimeUnit.SECONDS);
                }
            });
        }
    }

    /**
     * Redis is being rebuilt (it lost its data, or a failover may have lost writes): the
     * provisional leases of this replica's calls in flight (taken, not yet bound or released) are
     * taken again under their tickets, without limits (idempotent: a ticket Redis still holds is
     * taken once). The reconciler's pass finds only the jobs EE2 has created; a run_job still on
     * its way to EE2 would otherwise count nowhere until its answer. Once per rebuilding
     * generation; a failure is tried again at the next tick.
     */
    private void rewriteFlights(String rebuilding) throws Exception {
        if (rebuilding.equals(flightsRewrittenFor) || local != null) {
            return;
        }
        long seen = System.nanoTime();
        int n = 0;
        for (var flight : flights.asMap().entrySet()) {
            List<SlotClaim> claims = flight.getValue();
            UserTicket key = flight.getKey();
            await(shared.tryAcquire(key.user(), key.ticket(),
                    new SlotDemand(claims, SlotDemand.UNLIMITED, SlotDemand.UNLIMITED)));
            n++;
        }
        flightsRewrittenFor = rebuilding;
        rebuildSeenAt = seen;
        if (n > 0) {
            log.warn("Redis being rebuilt ({}): the provisional leases of {} calls in flight here were taken again",
                    rebuilding, n);
        }
    }

    /** LOCAL: this replica's counts start from the copy in Redis (bound leases; the reconciler adds the rest). */
    private void load() throws Exception {
        int n = 0;
        for (String user : await(shared.users())) {
            for (TrackedJob job : await(shared.trackedJobs(user))) {
                await(local.adopt(user, job.jobId(), job.claim()));
                n++;
            }
        }
        loaded = true;
        log.info("redis.onFailure: local: {} leases loaded from Redis; this replica decides on its own counts from now on",
                n);
    }

    /** LOCAL: Redis lost its copy; every bound lease is written to it again. */
    private void rewriteLocal() throws Exception {
        for (String user : await(local.users())) {
            for (TrackedJob job : await(local.trackedJobs(user))) {
                write("adopt " + job.jobId() + " (Redis lost its copy)", () -> shared.adopt(user, job.jobId(), job.claim()),
                        false);
            }
        }
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
