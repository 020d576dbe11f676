package us.kbase.ee2proxy.policy;

import java.util.List;

/**
 * What one admission asks of a user's ledger, checked and taken in ONE atomic step: admitted iff
 * {@code parents(u) + parentCount() <= parentLimit} and {@code jobs(u) + claims().size() <= jobLimit}.
 * A parent at depth d has {@code parentLimit = C_d}; a child has {@code jobLimit = S + maxQueued};
 * a plain job (and an aged child) has both limits {@link #UNLIMITED}: always admitted, still counted.
 * A demand with children of running parallel apps also carries their {@link ChildBound}s, which the
 * ledger checks first: over one, nothing is taken and the call is classified again (it is no
 * child), whatever the counts.
 *
 * <p>The reserve lent while the user is away ({@code children.reserveFor}): a child's demand carries
 * two job limits, {@code jobLimit} while the user's own call is recent ({@link
 * UserCounts#ownCallRecent()}) and {@code lentJobLimit} otherwise, and the ledger picks one in the
 * same step as it checks it; a user's own call carries {@code marksOwnCallMs} on its arrival, and
 * the ledger records in that step that the user's reserve is kept for that long (whether or not the
 * call fits); its retries while it waits at the proxy mark nothing.
 *
 * @param lentJobLimit the job limit when the user sent no own call recently ({@code jobLimit} for
 *     every demand but a child's whose reserve may be lent)
 * @param marksOwnCallMs for a user's own call under a {@code reserveFor}: how long (ms) the ledger
 *     keeps the reserve from now; 0 for every other demand
 */
public record SlotDemand(List<SlotClaim> claims, int parentLimit, int jobLimit, List<ChildBound> childBounds,
        int lentJobLimit, long marksOwnCallMs) {
    public static final int UNLIMITED = Integer.MAX_VALUE;

    public SlotDemand {
        claims = List.copyOf(claims);
        childBounds = List.copyOf(childBounds);
        if (marksOwnCallMs < 0) {
            throw new IllegalArgumentException("marksOwnCallMs must be >= 0");
        }
    }

    /** A demand whose job limit does not depend on the user's own calls, and that marks none. */
    public SlotDemand(List<SlotClaim> claims, int parentLimit, int jobLimit, List<ChildBound> childBounds) {
        this(claims, parentLimit, jobLimit, childBounds, jobLimit, 0);
    }

    /** A demand with no child of a running parallel app. */
    public SlotDemand(List<SlotClaim> claims, int parentLimit, int jobLimit) {
        this(claims, parentLimit, jobLimit, List.of());
    }

    /** The job limit that applies on top of {@code counts}: lent while the user's own call is not recent. */
    public int jobLimitFor(UserCounts counts) {
        return counts.ownCallRecent() ? jobLimit : lentJobLimit;
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

    /**
     * The same claims taken regardless of counts: aging, shadow mode, a child with no room to wait.
     * The child bounds stay: they decide what the call is, not when it fits.
     */
    public SlotDemand unlimited() {
        return new SlotDemand(claims, UNLIMITED, UNLIMITED, childBounds, UNLIMITED, marksOwnCallMs);
    }

    /**
     * The same claims with the job limit lifted and the parent limit kept: a user's own call that
     * would be admitted at its wait's end (aging) but has no room to wait, or a draining proxy.
     */
    public SlotDemand withoutJobLimit() {
        return new SlotDemand(claims, parentLimit, UNLIMITED, childBounds, UNLIMITED, marksOwnCallMs);
    }

    /** The same demand marking no own call (a waiting call's retries: its arrival marked already). */
    public SlotDemand withoutMark() {
        return new SlotDemand(claims, parentLimit, jobLimit, childBounds, lentJobLimit, 0);
    }

    /**
     * The same claims taken with nothing checked at all: a write replayed to a ledger that did not
     * decide it (another ledger already did, bounds included). An own call's mark is replayed too:
     * the other replicas' children then keep the reserve for the user, a little late.
     */
    public SlotDemand anyway() {
        return new SlotDemand(claims, UNLIMITED, UNLIMITED, List.of(), UNLIMITED, marksOwnCallMs);
    }

    /** Whether these claims fit on top of {@code counts} (the child bounds are the ledger's to check). */
    public boolean fits(UserCounts counts) {
        return (long) counts.parents() + parentCount() <= parentLimit
                && (long) counts.jobs() + claims.size() <= jobLimitFor(counts);
    }

    /** How many of these claims count against {@code bound}. */
    public int childrenOf(ChildBound bound) {
        int n = 0;
        for (SlotClaim c : claims) {
            if (bound.counts(c)) {
                n++;
            }
        }
        return n;
    }
}
