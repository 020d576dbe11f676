package us.kbase.ee2proxy.ledger;

import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis's generation key and the rebuild of a lost data set from EE2: rule 3 of {@link Outage}.
 * The key ({@code <prefix>:generation}) is {@code ready:<id>} while Redis holds a data set every
 * replica may decide on, and {@code rebuilding:<id>} while its counts are being taken again from
 * EE2. A Redis restarted empty has no key: the first replica to read it writes one.
 *
 * <p>Everything here but {@link #rebuildWith} and {@link #markLost} runs on the {@link
 * RecoveryThread}; the state it keeps (which rebuild this replica took its calls in flight again
 * for, and when) is that thread's alone.
 */
final class LedgerRebuild {
    private static final Logger log = LoggerFactory.getLogger(ResilientLedger.class);
    private static final String READY = "ready:";
    private static final String REBUILDING = "rebuilding:";

    /** What the generation key held: a data set to decide on ({@code ready}), or one being rebuilt. */
    record Generation(String id, boolean ready, boolean writtenByThisRead) {}

    private final RedisSlotLedger shared;
    private final CallsInFlight flights;
    private final RecoveryThread recovery;
    private final Runnable tick;
    private final long probeNanos;
    private volatile Supplier<CompletionStage<Boolean>> rebuilder;
    private final AtomicBoolean running = new AtomicBoolean();
    /** The rebuilding generation whose calls in flight this replica took again (recovery thread only). */
    private String flightsRewrittenFor;
    /** When this replica first saw the generation {@link #flightsRewrittenFor} rebuilding (recovery thread only). */
    private long rebuildSeenAt;

    /** @param tick the state machine's recovery step, run again once a rebuild ends or fails */
    LedgerRebuild(RedisSlotLedger shared, CallsInFlight flights, RecoveryThread recovery, Runnable tick,
            long probeNanos) {
        this.shared = shared;
        this.flights = flights;
        this.recovery = recovery;
        this.tick = tick;
        this.probeNanos = probeNanos;
    }

    /** The reconciler's pass (adopts every active job EE2 lists; true once one ran without a failure). */
    void rebuildWith(Supplier<CompletionStage<Boolean>> pass) {
        this.rebuilder = pass;
    }

    /** Whether the value is a ready generation (the one an acquire script or {@link #read} answered). */
    static boolean isReady(String value, String id) {
        return (READY + id).equals(value);
    }

    /**
     * Reads the generation; when there is none, writes one first: {@code rebuilding} when this
     * replica can rebuild (its counts are then taken from EE2 before anyone decides), else {@code
     * ready} (nothing could rebuild them: what Redis holds is what is decided on).
     */
    Generation read(boolean canRebuild) throws Exception {
        String fresh = (canRebuild ? REBUILDING : READY) + UUID.randomUUID();
        String value = RecoveryThread.await(shared.generation(fresh));
        boolean ready = value.startsWith(READY);
        String id = value.substring((ready ? READY : REBUILDING).length());
        return new Generation(id, ready, value.equals(fresh));
    }

    /**
     * A failover may have lost writes: a ready generation becomes {@code rebuilding} (or, without a
     * rebuilder, a new {@code ready} one) for every replica; the recovery step runs once Redis
     * answered. Any thread.
     */
    void markLost(boolean canRebuild) {
        String fresh = (canRebuild ? REBUILDING : READY) + UUID.randomUUID();
        shared.generationLost(fresh).whenComplete((now, error) -> recovery.now(tick));
    }

    /**
     * Redis is being rebuilt ({@code rebuilding:<id>}): once per rebuilding generation, this
     * replica's calls in flight take their provisional leases again (unless {@code takeFlights} is
     * false: {@code local} mode decides here and writes Redis behind); and the rebuilder, when there
     * is one and it is not running, runs a pass at once. The first pass to finish writes {@code
     * ready:<id>}, no sooner than two probe intervals after this replica saw the rebuild, so that
     * every replica had a probe to take its calls in flight again. A failure is tried again at the
     * next tick (the calls in flight) or in a second (the pass).
     */
    void during(String id, boolean takeFlights) throws Exception {
        if (takeFlights && !id.equals(flightsRewrittenFor)) {
            long seen = System.nanoTime();
            int n = flights.takeAgain();
            flightsRewrittenFor = id;
            rebuildSeenAt = seen;
            if (n > 0) {
                log.warn("Redis being rebuilt ({}): the provisional leases of {} calls in flight here were taken again",
                        id, n);
            }
        }
        Supplier<CompletionStage<Boolean>> pass = rebuilder;
        if (pass == null || !running.compareAndSet(false, true)) {
            return;
        }
        pass.get().whenComplete((complete, error) -> {
            if (error == null && complete) {
                long wait = Math.max(0, rebuildSeenAt + 2 * probeNanos - System.nanoTime());
                recovery.after(wait, () -> shared.generationReady(id).whenComplete((now, unread) -> {
                    running.set(false);
                    recovery.now(tick);
                }));
            } else {
                running.set(false);
                log.warn("rebuilding the ledger from EE2 did not complete ({}); trying again",
                        error != null ? error.toString() : "a call failed");
                recovery.after(1_000_000_000L, tick);
            }
        });
    }
}
