package us.kbase.ee2proxy.policy;

import java.util.Map;

/**
 * A user's current unfinished admitted work as the ledger sees it.
 *
 * @param parents P(u): unfinished parallel-app parents of every depth
 * @param jobs A(u): all unfinished admitted jobs, parents included
 * @param parentsByApp parents per app label, for messages ("kb_Bowtie2 x3, kb_concoct x2")
 */
public record UserCounts(int parents, int jobs, Map<String, Integer> parentsByApp) {
    public static final UserCounts ZERO = new UserCounts(0, 0, Map.of());

    public UserCounts {
        parentsByApp = Map.copyOf(parentsByApp);
    }
}
