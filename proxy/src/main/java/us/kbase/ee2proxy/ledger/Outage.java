package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * What one replica does when Redis fails: the state machine of its standing with Redis, and every
 * transition of it. The rest of the outage code only carries steps out ({@link OutageJournal}
 * keeps the writes owed, {@link LedgerRebuild} reads the generation and rebuilds, {@link
 * CallsInFlight} keeps what a job may be, {@link LocalCopy} is {@code local} mode).
 *
 * <p><b>The property:</b> Redis never counts less than EE2 runs while any replica lets Redis
 * decide. Four rules give it, with any number of replicas:
 * <ol>
 *   <li><b>Redis decides, or nobody does.</b> A decision is Redis's acquire script, taken only in
 *       {@link State#DECIDING}. Otherwise, or when the call fails, the answer is {@link
 *       Admission.Verdict#LEDGER_UNAVAILABLE}: the caller decides what that means (the gate keeps
 *       the call waiting with {@code redis.onFailure: wait}, refuses it with {@code refuse}).
 *       Nothing is decided on counts kept here ({@code admit} admits it, and the caps do not hold).
 *   <li><b>Every write reaches Redis, in order.</b> A bind or release (and an adopt) goes straight
 *       to Redis while nothing is owed to it; once a call has failed, or while the journal is not
 *       empty, it is appended to the journal, which the recovery thread writes back in order, one
 *       step at a time, before Redis decides again. Every step is idempotent in the scripts (a
 *       release frees once and leaves a tombstone that stops a later bind or adopt of the same
 *       job), so a step that failed after it ran is harmless when run again. A bind that fails is
 *       written back as a bind that adopts each job it does not find with its claim ({@link
 *       CallsInFlight#keepBound}: a provisional lease that expired or was wiped meanwhile is not
 *       lost). A decision that failed is followed by its ticket's release (it may have run in
 *       Redis): the call retries under the same ticket only after that.
 *   <li><b>A Redis that lost its data is noticed, and rebuilt before it decides.</b> The
 *       generation ({@link LedgerRebuild}) is read every probe and once more after each admission:
 *       if it is gone or names another data set, the admission is given back and the state is
 *       {@link State#REBUILDING}: the calls in flight take their provisional leases again, the
 *       rebuilder (the reconciler, with a service token) adopts every active job EE2 lists, and
 *       the first to finish marks the generation ready, no sooner than two probes later (without a
 *       token, a new ready generation is written at once). An admission answered after this
 *       replica saw its data set lost is given back too: the calls in flight may have been taken
 *       again before it was one of them.
 *   <li><b>A failover is a possible loss.</b> Lease writes wait for the master's replicas ({@link
 *       RedisSlotLedger}); a decision answered by a replica promoted in place of a master this
 *       replica decided on ({@link MasterWatch}) is given back and the generation marked lost, as
 *       in rule 3.
 * </ol>
 * Releases seen while Redis is away therefore never make Redis count less; at worst Redis counts a
 * finished job until the journal is written back (over-counting keeps calls waiting, it never
 * over-admits).
 *
 * <p><b>The state</b> is two facts that change on different threads: whether this replica owes
 * Redis anything (the journal's, changed under its lock by any thread, so that "send it straight"
 * or "append it" is decided atomically with the append), and which data set it knows ({@link
 * #dataSet}, written only by the recovery thread and by a decision that sees it gone). {@link
 * #state()} names the pair:
 * <pre>
 *   STARTING   no generation read yet            (local: counts not yet loaded from Redis)
 *   DECIDING   data set known, nothing owed       (local: loaded; decides here whatever Redis does)
 *   FAILING    data set known, a call failed or writes are owed
 *   REBUILDING the data set is lost or being rebuilt from EE2 (whatever is owed)
 *
 *   STARTING, REBUILDING -> DECIDING | FAILING   a ready generation read (recovery thread)
 *   DECIDING -> FAILING        any Redis call fails (any thread)
 *   FAILING -> DECIDING        the journal written back to its end (recovery thread)
 *   DECIDING, FAILING -> REBUILDING   a generation not the known one, read at a probe or after a
 *                                     decision, or a decision answered by a failed-over master
 * </pre>
 * <b>Invariants:</b> a decision is sent only in DECIDING and counts only if Redis answered it with
 * the generation known when it was sent and this replica still knows that one (the call is put in
 * flight before the state is read; the rebuild makes it REBUILDING before it reads the calls in
 * flight: one of the two sees the other); a write goes straight to Redis only while the journal is
 * empty and Redis did not fail since, else it is appended behind everything owed; the journal is
 * written back by one thread, in order, never under a lock; leaving FAILING or REBUILDING wakes
 * every user whose decision was turned away meanwhile. No event loop ever waits here.
 */
final class Outage {
    enum State { STARTING, DECIDING, FAILING, REBUILDING }

    /** Which data set this replica knows Redis holds. */
    private enum DataSet { UNREAD, KNOWN, LOST }

    private final RedisSlotLedger shared;
    /** {@code local} mode: the arrangement that decides; null otherwise. */
    private final LocalCopy local;
    private final Supplier<RedisFailureMode> mode;
    private final boolean rebuildFromEe2;
    private final CallsInFlight flights;
    private final OutageJournal journal;
    private final RecoveryThread recovery = new RecoveryThread();
    private final LedgerRebuild rebuild;
    /** The Redis masters this replica decided on: a failover replacing one is seen at the next decision. */
    private final MasterWatch masters = new MasterWatch();
    /** Users whose decisions were turned away: woken when decisions are taken again. */
    private final Set<String> turnedAway = ConcurrentHashMap.newKeySet();
    private final Consumer<String> wake;
    /** Every decision asked of this replica: with {@link #undecided}, the share Redis took (run-e2e reports it per run). */
    private final Counter decisions;
    private final Counter undecided;
    private final Counter failovers;
    /** The generation id this replica knows (null before the first read). */
    private volatile String known;
    private volatile DataSet dataSet = DataSet.UNREAD;

    /**
     * @param mode the policy's failure mode, read at each decision ({@code local} is read here,
     *     once: it is another arrangement, {@link LocalCopy})
     * @param rebuildFromEe2 whether a rebuilder ({@link #rebuildWith}) will come
     * @param wake told the name of a user whose calls may be decided now
     */
    Outage(RedisSlotLedger shared, Supplier<RedisFailureMode> mode, LeaseTerms terms, boolean rebuildFromEe2,
            Duration probeEvery, MetricRegistry metrics, Consumer<String> wake) {
        this.shared = shared;
        this.mode = mode;
        this.rebuildFromEe2 = rebuildFromEe2;
        this.flights = new CallsInFlight(shared, terms);
        this.journal = new OutageJournal(metrics.counter("ledger.fallback.replayed"));
        this.rebuild = new LedgerRebuild(shared, flights, recovery, this::tick, probeEvery.toNanos());
        this.local = mode.get() == RedisFailureMode.LOCAL
                ? new LocalCopy(new InMemorySlotLedger(terms), shared, flights, this::behind)
                : null;
        this.wake = wake;
        this.decisions = metrics.counter("ledger.decisions");
        this.undecided = metrics.counter("ledger.fallback.decisions");
        this.failovers = metrics.counter("ledger.failovers");
    }

    /** Starts the recovery step: at once, then every {@code probeEvery}. */
    void start(Duration probeEvery) {
        recovery.every(probeEvery, this::tick);
    }

    /** The reconciler's pass, run at once when Redis has lost its data (see {@link LedgerRebuild}). */
    void rebuildWith(Supplier<CompletionStage<Boolean>> pass) {
        rebuild.rebuildWith(pass);
        recovery.now(this::tick);
    }

    /** {@code local} mode's arrangement, or null. */
    LocalCopy local() {
        return local;
    }

    CallsInFlight flights() {
        return flights;
    }

    /** Writes Redis has not had yet. */
    int owed() {
        return journal.size();
    }

    /** Stops the recovery thread; answers the writes still owed (lost with this replica). */
    int stop() {
        recovery.stop();
        return owed();
    }

    /** DECIDING: decisions are taken (by Redis, or in {@code local} mode here); anything else: not. */
    State state() {
        if (local != null) {
            return local.loaded() ? State.DECIDING : State.STARTING;
        }
        return switch (dataSet) {
            case UNREAD -> State.STARTING;
            case LOST -> State.REBUILDING;
            case KNOWN -> journal.clear() ? State.DECIDING : State.FAILING;
        };
    }

    /** Redis answers, nothing is owed to it, and its data set is the one this replica knows. */
    boolean redisDecides() {
        return journal.clear() && dataSet == DataSet.KNOWN;
    }

    /** Redis answered the last call and nothing is owed to it: a write may go straight to Redis. */
    boolean nothingOwed() {
        return journal.clear();
    }


    // ---- decisions

    CompletionStage<Admission> tryAcquire(String user, String ticket, SlotDemand demand) {
        decisions.inc();
        if (state() != State.DECIDING) {
            return turnAway(user, ticket, demand);
        }
        if (local != null) {
            return local.tryAcquire(user, ticket, demand);
        }
        String expected = known;
        return shared.decide(user, ticket, demand)
                .handle((decision, error) -> error == null
                        ? answered(user, ticket, demand, decision, expected)
                        : failedDecision(user, ticket, demand, error))
                .thenCompose(Function.identity());
    }

    /** It may have run in Redis: its ticket's release is owed before the call is decided again. */
    private CompletionStage<Admission> failedDecision(String user, String ticket, SlotDemand demand, Throwable error) {
        failed(error);
        journal.appendFailed("release ticket " + ticket + " (its acquire failed)",
                () -> shared.releaseTicket(user, ticket));
        return turnAway(user, ticket, demand);
    }

    /** Redis answered: an admission counts if its master did not fail over and its data set is the one known. */
    private CompletionStage<Admission> answered(String user, String ticket, SlotDemand demand,
            SharedDecision decision, String expected) {
        Admission taken = decision.admission();
        if (masters.see(taken.master()) == MasterWatch.Seen.FAILED_OVER) {
            failedOver(taken.master());
            if (taken.admitted()) {
                return giveBack(user, ticket, demand, "decided on a failed-over master");
            }
        }
        if (!taken.admitted()) {
            return CompletableFuture.completedFuture(taken);
        }
        flights.admitted(user, ticket, demand.claims());
        // The acquire read the generation key with the decision (one node: in its script; a Cluster: in
        // the same round trip); generationRead false would make this the read.
        CompletionStage<String> read = decision.generationRead()
                ? CompletableFuture.completedFuture(decision.generation())
                : shared.generation(null);
        return read.handle((generation, unread) -> {
            if (unread != null) {
                failed(unread);
                return giveBack(user, ticket, demand, "its data set unread");
            }
            if (!LedgerRebuild.isReady(generation, expected)) {
                lost(generation); // a Redis restarted empty decides on nothing
                return giveBack(user, ticket, demand, "decided on another data set");
            }
            if (dataSet != DataSet.KNOWN || !expected.equals(known)) {
                // Answered late: this replica saw that data set lost since, and the rebuild may have
                // taken the calls in flight again before this one was among them.
                return giveBack(user, ticket, demand, "answered after its data set was lost");
            }
            return CompletableFuture.completedFuture(taken);
        }).thenCompose(Function.identity());
    }

    /** An admission that must not count: its ticket released (straight or journaled), then turned away. */
    private CompletionStage<Admission> giveBack(String user, String ticket, SlotDemand demand, String why) {
        flights.released(user, ticket);
        return write("release ticket " + ticket + " (" + why + ")", () -> shared.releaseTicket(user, ticket), 0)
                .thenCompose(released -> turnAway(user, ticket, demand));
    }

    /** Redis cannot decide: per the policy, not decided (the caller waits or refuses), or admitted (ADMIT). */
    private CompletionStage<Admission> turnAway(String user, String ticket, SlotDemand demand) {
        undecided.inc();
        turnedAway.add(user);
        if (local == null && mode.get() == RedisFailureMode.ADMIT) {
            flights.admitted(user, ticket, demand.claims());
            behind("acquire " + ticket + " (admitted without Redis)",
                    () -> shared.tryAcquire(user, ticket, demand.anyway()));
            return CompletableFuture.completedFuture(Admission.admitted(UserCounts.ZERO));
        }
        return CompletableFuture.completedFuture(Admission.unavailable());
    }

    // ---- writes

    /**
     * Straight to Redis while nothing is owed to it, else (or when the call fails) into the journal;
     * {@code whenJournaled} is the answer then. {@code local}: always behind.
     */
    <T> CompletionStage<T> write(String what, Supplier<CompletionStage<T>> call, T whenJournaled) {
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
            journal.appendFailed(what, call::get);
            return whenJournaled;
        });
    }

    /** Into the journal, written back at once (in order after everything before it). */
    void behind(String what, Supplier<CompletionStage<?>> call) {
        if (journal.appendBehind(what, call)) {
            recovery.now(this::tick);
        }
    }

    /** A read Redis failed: an error for the caller, and DECIDING becomes FAILING. */
    <T> CompletionStage<T> read(CompletionStage<T> call) {
        return call.whenComplete((value, error) -> {
            if (error != null) {
                failed(error);
            }
        });
    }

    // ---- transitions

    /** Any Redis call failed: DECIDING -> FAILING. */
    private void failed(Throwable error) {
        if (journal.markDown()) {
            OutageLog.callFailed(error, local != null, mode.get().name().toLowerCase());
        }
    }

    /** A decision was answered with a generation other than the one known when it was sent: -> REBUILDING. */
    private void lost(String generation) {
        if (dataSet == DataSet.KNOWN) {
            OutageLog.decidedOnAnotherDataSet(known, generation, rebuildFromEe2);
        }
        dataSet = DataSet.LOST;
        recovery.now(this::tick);
    }

    /**
     * A decision was answered by a replica promoted in place of a master this replica decided on
     * ({@link MasterWatch}): the old master's last acknowledged writes may be lost, and nothing in
     * the data set shows it. -> REBUILDING, and the generation marked lost for every replica.
     */
    private void failedOver(MasterId master) {
        failovers.inc();
        boolean canRebuild = rebuildFromEe2 && local == null;
        if (dataSet == DataSet.KNOWN) {
            OutageLog.failedOver(master, canRebuild);
        }
        dataSet = DataSet.LOST;
        rebuild.markLost(canRebuild);
    }

    /**
     * The recovery step, every probe and at once when asked (recovery thread only): reads the
     * generation (rebuilding a lost one), loads the counts ({@code local}), writes the journal back
     * in order, and once decisions are taken again wakes the users turned away meanwhile.
     */
    void tick() {
        try {
            readGeneration();
            if (local != null && !local.loaded()) {
                local.load();
            }
            journal.writeBack(RecoveryThread.STEP_WAIT);
            if (state() == State.DECIDING) {
                List.copyOf(turnedAway).forEach(user -> {
                    turnedAway.remove(user);
                    wake.accept(user);
                });
            }
        } catch (Exception e) {
            journal.failedAgain(e);
        } catch (Throwable t) {
            OutageLog.log.error("ledger recovery failed", t);
        }
    }

    /** STARTING or REBUILDING -> KNOWN on a ready generation; anything -> REBUILDING on a rebuilding one. */
    private void readGeneration() throws Exception {
        LedgerRebuild.Generation generation = rebuild.read(rebuildFromEe2 && local == null);
        if (generation.ready()) {
            if (known != null && !known.equals(generation.id())) {
                OutageLog.replaced(generation.id(), known, generation.writtenByThisRead());
                if (local != null) {
                    local.rewrite(); // Redis is this replica's copy: write it again
                }
                masters.forget(); // rebuilt: every master holds what EE2 runs
            }
            known = generation.id();
            dataSet = DataSet.KNOWN;
            return;
        }
        if (known == null && dataSet != DataSet.KNOWN) {
            OutageLog.rebuildingAtStart(generation.id());
        } else if (dataSet == DataSet.KNOWN) {
            OutageLog.rebuilding(known, generation.id());
        }
        dataSet = DataSet.LOST;
        rebuild.during(generation.id(), local == null);
    }
}
