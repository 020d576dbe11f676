package us.kbase.ee2proxy.ledger;

import us.kbase.ee2proxy.policy.UserCounts;

/**
 * The answer to {@link SlotLedger#tryAcquire}.
 *
 * @param verdict what happened
 * @param counts the user's counts after the step (the new claims included when admitted); {@link
 *     UserCounts#ZERO} when the ledger was unavailable
 * @param master the Redis master that decided (its replication ids), null from a ledger in memory
 */
public record Admission(Verdict verdict, UserCounts counts, MasterId master) {

    public enum Verdict {
        /** The claims were taken as provisional leases under the ticket. */
        ADMITTED,
        /** A cap would be exceeded; nothing was taken. */
        FULL,
        /**
         * A {@link us.kbase.ee2proxy.policy.ChildBound} would be exceeded (a parent with
         * {@code children.perParent} unfinished children already): nothing was taken, and the call
         * is no running app's child. Checked before the caps: the call must be classified again.
         */
        CHILDREN_BOUND,
        /** The shared ledger is down and the policy says refuse: answer with an EE2-shaped error. */
        LEDGER_UNAVAILABLE
    }

    public static Admission admitted(UserCounts counts) {
        return new Admission(Verdict.ADMITTED, counts, null);
    }

    public static Admission full(UserCounts counts) {
        return new Admission(Verdict.FULL, counts, null);
    }

    public static Admission childrenBound(UserCounts counts) {
        return new Admission(Verdict.CHILDREN_BOUND, counts, null);
    }

    public static Admission unavailable() {
        return new Admission(Verdict.LEDGER_UNAVAILABLE, UserCounts.ZERO, null);
    }

    public boolean admitted() {
        return verdict == Verdict.ADMITTED;
    }
}
