package us.kbase.ee2proxy.ledger;

import us.kbase.ee2proxy.policy.UserCounts;

/**
 * The answer to {@link SlotLedger#tryAcquire}.
 *
 * @param verdict what happened
 * @param counts the user's counts after the step (the new claims included when admitted); {@link
 *     UserCounts#ZERO} when the ledger was unavailable
 */
public record Admission(Verdict verdict, UserCounts counts) {

    public enum Verdict {
        /** The claims were taken as provisional leases under the ticket. */
        ADMITTED,
        /** A cap would be exceeded; nothing was taken. */
        FULL,
        /** The shared ledger is down and the policy says refuse: answer with an EE2-shaped error. */
        LEDGER_UNAVAILABLE
    }

    public static Admission admitted(UserCounts counts) {
        return new Admission(Verdict.ADMITTED, counts);
    }

    public static Admission full(UserCounts counts) {
        return new Admission(Verdict.FULL, counts);
    }

    public static Admission unavailable() {
        return new Admission(Verdict.LEDGER_UNAVAILABLE, UserCounts.ZERO);
    }

    public boolean admitted() {
        return verdict == Verdict.ADMITTED;
    }
}
