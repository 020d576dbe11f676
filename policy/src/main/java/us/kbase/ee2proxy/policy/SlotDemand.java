package us.kbase.ee2proxy.policy;

import java.util.List;

/**
 * What one admission asks of a user's ledger, checked and taken in ONE atomic step: admitted iff
 * {@code parents(u) + parentCount() <= parentLimit} and {@code jobs(u) + claims().size() <= jobLimit}.
 * A parent at depth d has {@code parentLimit = C_d}; a child has {@code jobLimit = S + maxQueued};
 * a plain job (and an aged child) has both limits {@link #UNLIMITED}: always admitted, still counted.
 */
public record SlotDemand(List<SlotClaim> claims, int parentLimit, int jobLimit) {
    public static final int UNLIMITED = Integer.MAX_VALUE;

    public SlotDemand {
        claims = List.copyOf(claims);
    }

    public int parentCount() {
        int n = 0;
        for (SlotClaim c : claims) {
            if (c.parent()) {
                n++;
            }
        }
        return n;
    }

    /** The same claims taken regardless of counts: aging, shadow mode, fallbacks. */
    public SlotDemand unlimited() {
        return new SlotDemand(claims, UNLIMITED, UNLIMITED);
    }

    /** Whether these claims fit on top of {@code counts}. */
    public boolean fits(UserCounts counts) {
        return (long) counts.parents() + parentCount() <= parentLimit
                && (long) counts.jobs() + claims.size() <= jobLimit;
    }
}
