package us.kbase.ee2proxy.ledger;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices, at a decision, that the Redis master deciding is a replica promoted in place of a master
 * this proxy replica decided on: a failover, which may have lost writes that master acknowledged.
 *
 * <p>Why this is needed besides {@code WAIT} ({@link RedisSlotLedger}): with {@code SENTINEL
 * FAILOVER} (or a partition), the old master goes on taking writes between the replica's promotion
 * and its own demotion, and the other replicas, still following it, acknowledge them; the promoted
 * replica never has them (measured: hundreds to thousands of leases per failover). Nothing in the
 * data set shows it (the generation key was replicated long before), so the promoted master's
 * replication ids are what tells: it starts a new replication id and keeps its old master's as the
 * second one. A decision answered by a master whose second id is one this replica decided on is
 * given back, and Redis is rebuilt from EE2 before anyone decides again (see {@link
 * Outage}), exactly as for a Redis that lost its data.
 *
 * <p>What it cannot see: two failovers in a row with no decision of this replica on the master
 * between them (the second promoted replica names the first, which this replica never saw); WAIT
 * covers that case as long as the masters failed over, rather than being demoted while still
 * taking writes.
 */
final class MasterWatch {
    enum Seen {
        /** A master this replica decided on since the ledger was last (re)built. */
        KNOWN,
        /** A master this replica never decided on and not promoted from one it did: start, or a new shard. */
        NEW,
        /** Promoted in place of a master this replica decided on: writes may be lost. */
        FAILED_OVER
    }

    private final Set<String> decidedOn = ConcurrentHashMap.newKeySet();

    /** Classifies the master that answered a decision; a NEW one becomes known. */
    Seen see(MasterId master) {
        if (master == null || master.replid().isEmpty() || decidedOn.contains(master.replid())) {
            return Seen.KNOWN;
        }
        if (decidedOn.contains(master.previous())) {
            return Seen.FAILED_OVER;
        }
        decidedOn.add(master.replid());
        return Seen.NEW;
    }

    /**
     * The ledger was rebuilt (a new generation is ready): every master now holds what EE2 runs, so
     * whatever this replica decided on before no longer matters.
     */
    void forget() {
        decidedOn.clear();
    }
}
