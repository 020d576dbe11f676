package us.kbase.ee2proxy.policy.decide;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;

/**
 * The order in which a ledger user's held calls are retried after a release (see
 * {@link Decision.Hold}): parallel apps first, deepest nesting first, oldest first; then children
 * round-robin across the parents they belong to (each batch is its own turn), oldest first within
 * one parent, the parent whose oldest child waited longest going first in each round. Pure: the
 * proxy passes its queue's snapshot, in arrival order, and retries in the order returned.
 */
public final class HoldOrder {
    private HoldOrder() {}

    /** {@code held} in arrival order (oldest first), reordered for retrying. */
    public static <T> List<T> of(List<T> held, Function<T, Classification> classOf) {
        List<T> parents = new ArrayList<>();
        Map<Object, List<T>> childrenByParent = new LinkedHashMap<>();
        for (T h : held) {
            Classification c = classOf.apply(h);
            if (deepestParent(c) >= 0) {
                parents.add(h);
            } else {
                Object key = c.jobClass() instanceof JobClass.Child ch && ch.parentJobId() != null ? ch.parentJobId() : h;
                childrenByParent.computeIfAbsent(key, k -> new ArrayList<>()).add(h);
            }
        }
        List<T> order = new ArrayList<>(held.size());
        // A stable sort keeps arrival order among parents of one depth.
        parents.stream().sorted(Comparator.comparingInt((T h) -> -deepestParent(classOf.apply(h)))).forEach(order::add);
        List<List<T>> groups = new ArrayList<>(childrenByParent.values());
        for (int round = 0; order.size() < held.size(); round++) {
            for (List<T> g : groups) {
                if (round < g.size()) {
                    order.add(g.get(round));
                }
            }
        }
        return order;
    }

    private static int deepestParent(Classification c) {
        return c.claims().stream().filter(SlotClaim::parent).mapToInt(SlotClaim::depth).max().orElse(-1);
    }
}
