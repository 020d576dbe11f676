package us.kbase.ee2proxy.policy;

import java.time.Duration;
import java.util.Map;

/**
 * A user's current unfinished admitted work as the ledger sees it.
 *
 * @param parents P(u): unfinished parallel-app parents of every depth
 * @param jobs A(u): all unfinished admitted jobs, parents included
 * @param parentsByApp parents per app label, for messages ("kb_Bowtie2 x3, kb_concoct x2")
 * @param reserveKeptMs how much longer (ms) the user's own last job-creating call (not a child)
 *     keeps their reserve ({@code children.reserveFor}, recorded by the ledger from {@link
 *     SlotDemand#marksOwnCallMs()}); 0: the user is away and the reserve is lent to children.
 *     Irrelevant under {@code reserveFor: always}
 */
public record UserCounts(int parents, int jobs, Map<String, Integer> parentsByApp, long reserveKeptMs) {
    public static final UserCounts ZERO = new UserCounts(0, 0, Map.of());

    public UserCounts {
        parentsByApp = Map.copyOf(parentsByApp);
        if (reserveKeptMs < 0) {
            throw new IllegalArgumentException("reserveKeptMs must be >= 0");
        }
    }

    /**
     * Counts with no own call of the user recorded (under {@code reserveFor: always}, the default,
     * the fact changes nothing).
     */
    public UserCounts(int parents, int jobs, Map<String, Integer> parentsByApp) {
        this(parents, jobs, parentsByApp, 0);
    }

    /** Counts whose user sent an own call recently (for as long as anyone asks), or none. */
    public UserCounts(int parents, int jobs, Map<String, Integer> parentsByApp, boolean ownCallRecent) {
        this(parents, jobs, parentsByApp, ownCallRecent ? Long.MAX_VALUE : 0);
    }

    /** Whether the user's own last call is recent enough to keep the reserve now. */
    public boolean ownCallRecent() {
        return reserveKeptMs > 0;
    }

    /** How much longer the reserve is kept (zero: lent now). */
    public Duration reserveKept() {
        return Duration.ofMillis(reserveKeptMs);
    }
}
