package us.kbase.ee2proxy.ledger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator reads when Redis fails, in one place: the transitions of {@link Outage} say
 * what happened, these say it in words. Logged under {@link ResilientLedger}'s name, as before the
 * outage code was split, so that log filters keep working.
 */
final class OutageLog {
    static final Logger log = LoggerFactory.getLogger(ResilientLedger.class);

    private OutageLog() {}

    private static String rebuiltHow(boolean canRebuild) {
        return canRebuild ? " from EE2 (the reconciler adopts every active job at once)"
                : "; without a service token they cannot be: deciding on what Redis holds now";
    }

    static void withoutToken() {
        log.warn("Redis ledger without a service token: if Redis ever loses its data (restarted empty, a failover "
                + "to a replica that had not synced), the proxy notices and goes on deciding on what Redis then "
                + "holds: the jobs that ran before the loss are not counted until they finish (a user may get up to "
                + "that many parallel apps beyond the cap meanwhile). With a service token (EE2_ADMIN_RO) every "
                + "decision waits until the counts are rebuilt from EE2.");
    }

    static void callFailed(Throwable error, boolean local, String mode) {
        log.warn("Redis ledger call failed ({}); {} until Redis answers and has every write this replica owes it",
                error.getMessage(), local ? "deciding here, writing to Redis later"
                        : "no decision is taken (redis.onFailure: " + mode + ")");
    }

    static void decidedOnAnotherDataSet(String known, String now, boolean canRebuild) {
        log.error("Redis's ledger data is not the data this replica knew (generation {}, now {}): Redis lost its "
                + "data (restarted empty, or failed over to a copy that had not synced). No decision until the "
                + "counts are rebuilt{}", known, now, rebuiltHow(canRebuild));
    }

    static void failedOver(MasterId master, boolean canRebuild) {
        log.error("Redis failed over: the master deciding (replication id {}) was promoted in place of one this "
                + "replica decided on ({}), whose last writes may be lost. No decision until the counts are "
                + "rebuilt{}", master.replid(), master.previous(), rebuiltHow(canRebuild));
    }

    static void replaced(String now, String known, boolean writtenByThisReplica) {
        log.warn("Redis ledger generation {} replaced {}: Redis lost its data and {}", now, known,
                writtenByThisReplica ? "this replica goes on with what it holds now" : "its counts were rebuilt");
    }

    static void rebuildingAtStart(String id) {
        log.warn("Redis holds no ledger yet, or lost it (generation {} being rebuilt from EE2): no decision until "
                + "every active job is counted", id);
    }

    static void rebuilding(String known, String id) {
        log.error("Redis lost its ledger data (generation {} gone, {} being rebuilt from EE2): no decision until "
                + "every active job is counted", known, id);
    }
}
