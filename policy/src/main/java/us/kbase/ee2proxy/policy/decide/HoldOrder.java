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
 * {@link Decision.Hold}): parallel apps first, deepest nesting first, oldest first; then children
 * round-robin across the parents they belong to (each batch is its own turn), oldest first within
 * one parent, the parent whose oldest child waited longest going first in each round.
 *
 * <p>An owner or an admin may move a waiting call ahead or behind after submission: its
 * {@code priority} (0 unless moved; higher goes first). Priority sorts before every other rule but
 * the parents-before-children one: within parents and within children, calls are taken band by
 * band, highest priority first, and the rules above order each band. Pure: the proxy passes its
 * queue's snapshot, in arrival order, and retries in the order returned.
 */
public final class HoldOrder {
    private HoldOrder() {}

    /** {@code held} in arrival order (oldest first), reordered for retrying; nothing moved. */
    public static <T> List<T> of(List<T> held, Function<T, Classification> classOf) {
        return of(held, classOf, h -> 0);
    }

    /** {@code held} in arrival order (oldest first), reordered for retrying, moved calls by {@code priority}. */
    public static <T> List<T> of(List<T> held, Function<T, Classification> classOf, ToIntFunction<T> priority) {
        List<T> parents = new ArrayList<>();
        List<T> children = new ArrayList<>();
        for (T h : held) {
            (deepestParent(classOf.apply(h)) >= 0 ? parents : children).add(h);
        }
        List<T> order = new ArrayList<>(held.size());
        for (List<T> band : bands(parents, priority)) {
            // A stable sort keeps arrival order among parents of one depth.
            band.stream().sorted(Comparator.comparingInt((T h) -> -deepestParent(classOf.apply(h)))).forEach(order::add);
        }
        for (List<T> band : bands(children, priority)) {
            order.addAll(roundRobin(band, classOf));
        }
        return order;
    }

    /** Calls grouped by priority, highest first, each group in arrival order. */
    private static <T> List<List<T>> bands(List<T> calls, ToIntFunction<T> priority) {
        TreeMap<Integer, List<T>> byPriority = new TreeMap<>(Comparator.reverseOrder());
        for (T h : calls) {
            byPriority.computeIfAbsent(priority.applyAsInt(h), p -> new ArrayList<>()).add(h);
        }
        return new ArrayList<>(byPriority.values());
    }

    private static <T> List<T> roundRobin(List<T> children, Function<T, Classification> classOf) {
        Map<Object, List<T>> byParent = new LinkedHashMap<>();
        for (T h : children) {
            Classification c = classOf.apply(h);
            Object key = c.jobClass() instanceof JobClass.Child ch && ch.parentJobId() != null ? ch.parentJobId() : h;
            byParent.computeIfAbsent(key, k -> new ArrayList<>()).add(h);
        }
        List<T> order = new ArrayList<>(children.size());
        List<List<T>> groups = new ArrayList<>(byParent.values());
        for (int round = 0; order.size() < children.size(); round++) {
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
