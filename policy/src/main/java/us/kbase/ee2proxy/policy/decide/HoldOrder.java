package us.kbase.ee2proxy.policy.decide;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;

/**
 * The order in which a ledger user's held calls are retried after a release (see
 * {@link Decision.Hold}), in four groups:
 * <ol>
 *   <li>the user's own jobs (plain jobs, batches of them), which wait only for a free slot: fair
 *       queuing by app, the app with the fewest calls waiting first, one call per app in each round
 *       (oldest first within an app). A scientist's interactive job is usually its app's only waiting
 *       call, so it goes at the next free slot, ahead of a burst of another app's jobs (APF-like fair
 *       queuing within the user; EE2 itself runs a user's jobs first come, first served);
 *   <li>parallel apps sent by running ones (nested): deepest first, oldest first; a running app
 *       waits for them;
 *   <li>children, round-robin across the parents they belong to (each batch is its own turn), oldest
 *       first within one parent, the parent whose oldest child waited longest going first in each
 *       round;
 *   <li>new top-level parallel apps (and batches with parallel apps), deepest first, oldest first:
 *       each holds a slot for its whole life while it waits for its children, so the work of running
 *       apps goes first and fewer slots sit with apps waiting (the YARN AM-share idea; measured in
 *       README "Interactive work first", where single runs on the shared machine vary by 20%).
 * </ol>
 *
 * <p>An owner or an admin may move a waiting call ahead or behind after submission: its
 * {@code priority} (0 unless moved; higher goes first). Priority sorts before every other rule but
 * the groups: within each group, calls are taken band by band, highest priority first, and the
 * rules above order each band. Pure: the proxy passes its queue's snapshot, in arrival order, and
 * retries in the order returned. The order serves latency only; deadlock-freedom does not depend on
 * it (every call that waits only for a slot is admitted at its maxWait whatever the order).
 */
public final class HoldOrder {
    private HoldOrder() {}

    /** {@code held} in arrival order (oldest first), reordered for retrying; nothing moved. */
    public static <T> List<T> of(List<T> held, Function<T, Classification> classOf) {
        return of(held, classOf, h -> 0);
    }

    /** {@code held} in arrival order (oldest first), reordered for retrying, moved calls by {@code priority}. */
    public static <T> List<T> of(List<T> held, Function<T, Classification> classOf, ToIntFunction<T> priority) {
        List<T> own = new ArrayList<>();
        List<T> parents = new ArrayList<>();
        List<T> children = new ArrayList<>();
        List<T> newApps = new ArrayList<>();
        for (T h : held) {
            Classification c = classOf.apply(h);
            if (deepestParent(c) >= 0) {
                (c.fromParallelApp() ? parents : newApps).add(h);
            } else {
                (lowPriority(c) ? children : own).add(h);
            }
        }
        List<T> order = new ArrayList<>(held.size());
        for (List<T> band : bands(own, priority)) {
            order.addAll(roundRobin(band, h -> classOf.apply(h).jobClass() instanceof JobClass.Plain p ? p.app() : h,
                    true));
        }
        deepestFirst(parents, classOf, priority, order);
        for (List<T> band : bands(children, priority)) {
            order.addAll(roundRobin(band, h -> {
                Classification c = classOf.apply(h);
                return c.jobClass() instanceof JobClass.Child ch && ch.parentJobId() != null ? ch.parentJobId() : h;
            }, false));
        }
        deepestFirst(newApps, classOf, priority, order);
        return order;
    }

    private static <T> void deepestFirst(List<T> parents, Function<T, Classification> classOf,
            ToIntFunction<T> priority, List<T> order) {
        for (List<T> band : bands(parents, priority)) {
            // A stable sort keeps arrival order among parents of one depth.
            band.stream().sorted(Comparator.comparingInt((T h) -> -deepestParent(classOf.apply(h)))).forEach(order::add);
        }
    }

    /** Calls grouped by priority, highest first, each group in arrival order. */
    private static <T> List<List<T>> bands(List<T> calls, ToIntFunction<T> priority) {
        TreeMap<Integer, List<T>> byPriority = new TreeMap<>(Comparator.reverseOrder());
        for (T h : calls) {
            byPriority.computeIfAbsent(priority.applyAsInt(h), p -> new ArrayList<>()).add(h);
        }
        return new ArrayList<>(byPriority.values());
    }

    /**
     * One call of each group per round, groups in the order of their oldest call ({@code fewestFirst}:
     * groups with fewer calls first, then so), oldest first within a group.
     */
    private static <T> List<T> roundRobin(List<T> calls, Function<T, Object> groupOf, boolean fewestFirst) {
        Map<Object, List<T>> byGroup = new LinkedHashMap<>();
        for (T h : calls) {
            byGroup.computeIfAbsent(groupOf.apply(h), k -> new ArrayList<>()).add(h);
        }
        List<T> order = new ArrayList<>(calls.size());
        List<List<T>> groups = new ArrayList<>(byGroup.values());
        if (fewestFirst) {
            groups.sort(Comparator.comparingInt(List::size)); // stable: oldest first among equals
        }
        for (int round = 0; order.size() < calls.size(); round++) {
            for (List<T> g : groups) {
                if (round < g.size()) {
                    order.add(g.get(round));
                }
            }
        }
        return order;
    }

    /** A child, or a batch with children: low priority. */
    private static boolean lowPriority(Classification c) {
        return c.jobClass() instanceof JobClass.Child || c.jobClass() instanceof JobClass.Batch b && b.hasChildren();
    }

    private static int deepestParent(Classification c) {
        return c.claims().stream().filter(SlotClaim::parent).mapToInt(SlotClaim::depth).max().orElse(-1);
    }
}
