package us.kbase.ee2proxy.sim.workload;

import java.util.List;

/**
 * The 10-slot deadlock: every running slot of {@code user} is held by a parent that waits on
 * children which are queued behind those very parents.
 *
 * @param slots the user's limit
 * @param parents the parents holding the slots (job ids)
 * @param parentApps their apps, in the same order
 * @param children their queued children (job ids)
 */
public record Deadlock(String user, int slots, List<String> parents, List<String> parentApps, List<String> children) {
    public Deadlock {
        parents = List.copyOf(parents);
        parentApps = List.copyOf(parentApps);
        children = List.copyOf(children);
    }
}
