package us.kbase.ee2proxy.policy;

import java.util.Map;

/**
 * A user's current unfinished admitted work as the ledger sees it.
 *
 * @param parents P(u): unfinished parallel-app parents of every depth
 * @param jobs A(u): all unfinished admitted jobs, parents included
 * @param parentsByApp parents per app label, for messages ("kb_Bowtie2 x3, kb_concoct x2")
 * @param ownCallRecent whether the user sent one of their own job-creating calls (not a child)
 *     within {@code children.reserveFor} of now, as the ledger recorded it ({@link
 *     SlotDemand#marksOwnCallMs()}): the reserve is kept for them; false: they are away and the
 *     reserve is lent to children. Irrelevant under {@code reserveFor: always}
 */
public record UserCounts(int parents, int jobs, Map<String, Integer> parentsByApp, boolean ownCallRecent) {
    public static final UserCounts ZERO = new UserCounts(0, 0, Map.of());

    public UserCounts {
        parentsByApp = Map.copyOf(parentsByApp);
    }

    /**
     * Counts with no own call of the user recorded (under {@code reserveFor: always}, the default,
     * the fact changes nothing).
     */
    public UserCounts(int parents, int jobs, Map<String, Integer> parentsByApp) {
        this(parents, jobs, parentsByApp, false);
    }

    /** These counts with the user away (true: present), for a ledger that knows. */
    public UserCounts withOwnCallRecent(boolean recent) {
        return new UserCounts(parents, jobs, parentsByApp, recent);
    }
}
