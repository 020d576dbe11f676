package us.kbase.ee2proxy.status;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One parallel app's children that reached EE2 (admitted, job id known), each queued or running
 * while unfinished, then counted as done or failed; the last few ids of each end are kept, so
 * memory stays bounded however many children an app runs. Not thread-safe: {@link UserState}
 * guards it with its monitor.
 *
 * <p>A child only moves forward (queued, running, then one end), as EE2's states do: a late or
 * stale report (the reconciler's "queued" read before the runner's start_job passed) never moves
 * it back, and its first end is its end.
 */
final class AppChildren {
    /** Ended children's ids kept per end (done, failed): the most recent. */
    static final int LAST_ENDED = 5;
    /** Unfinished children's ids listed per state (all are counted). */
    static final int LISTED_LIVE = 20;

    /** Unfinished children, oldest first: true once seen running. */
    private final Map<String, Boolean> live = new LinkedHashMap<>();
    private int done;
    /** Failed children by how: "error", "terminated", "cancelled". */
    private final Map<String, Integer> failed = new TreeMap<>();
    /** Gone from the ledger's live leases with no end seen by this replica. */
    private int endedUnseen;
    private final Deque<String> lastDone = new ArrayDeque<>();
    private final Deque<Views.FailedChild> lastFailed = new ArrayDeque<>();
    /**
     * Children seen ending lately (the last {@link #REMEMBERED_ENDS}): their leases may still be in
     * a ledger read taken before their release, which must not bring them back as queued.
     */
    private final Set<String> endedLately = new LinkedHashSet<>();
    static final int REMEMBERED_ENDS = 256;

    /** EE2 made {@code jobId}, a child of this app: queued until seen running. */
    void admitted(String jobId) {
        live.putIfAbsent(jobId, Boolean.FALSE);
    }

    /**
     * The shared ledger holds {@code jobId} as this app's child (another replica may have
     * admitted it): shown as queued unless already shown or seen ending. Returns whether it is new.
     */
    boolean inLedger(String jobId) {
        if (live.containsKey(jobId) || endedLately.contains(jobId)) {
            return false;
        }
        live.put(jobId, Boolean.FALSE);
        return true;
    }

    boolean has(String jobId) {
        return live.containsKey(jobId);
    }

    /**
     * EE2 shows {@code jobId} in {@code status} ("queued", "running", "completed", "error",
     * "terminated", or "cancelled"); returns whether the child ended (no longer unfinished).
     */
    boolean seen(String jobId, String status) {
        Boolean running = live.get(jobId);
        if (running == null) {
            return false; // ended already (or not this app's): its first end stands
        }
        switch (status) {
            case "running" -> live.put(jobId, Boolean.TRUE);
            case "completed" -> {
                live.remove(jobId);
                done++;
                keep(lastDone, jobId);
            }
            case "error", "terminated", "cancelled" -> {
                live.remove(jobId);
                failed.merge(status, 1, Integer::sum);
                keep(lastFailed, new Views.FailedChild(jobId, status));
            }
            default -> {
                return false; // "queued", "created", ...: it is queued already
            }
        }
        if (live.containsKey(jobId)) {
            return false; // running now
        }
        endedLately.add(jobId);
        if (endedLately.size() > REMEMBERED_ENDS) {
            endedLately.remove(endedLately.iterator().next());
        }
        return true;
    }

    /** Drops the unfinished children not in {@code stillLive}, counted as ended unseen; returns them. */
    List<String> keepOnly(Set<String> stillLive) {
        List<String> gone = new ArrayList<>();
        live.keySet().removeIf(id -> {
            if (stillLive.contains(id)) {
                return false;
            }
            gone.add(id);
            return true;
        });
        endedUnseen += gone.size();
        return gone;
    }

    Set<String> liveIds() {
        return Set.copyOf(live.keySet());
    }

    int unfinished() {
        return live.size();
    }

    int ended() {
        return done + failedCount() + endedUnseen;
    }

    private int failedCount() {
        return failed.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The view, with {@code waiting} of its children waiting at the proxy. */
    Views.Children view(int waiting) {
        List<String> queuedIds = new ArrayList<>();
        List<String> runningIds = new ArrayList<>();
        int running = 0;
        for (var e : live.entrySet()) {
            if (e.getValue()) {
                running++;
                if (runningIds.size() < LISTED_LIVE) {
                    runningIds.add(e.getKey());
                }
            } else if (queuedIds.size() < LISTED_LIVE) {
                queuedIds.add(e.getKey());
            }
        }
        return new Views.Children(waiting, live.size(), ended(), live.size() - running, running, done, failedCount(),
                Map.copyOf(failed), endedUnseen,
                new Views.ChildIds(queuedIds, runningIds, List.copyOf(lastDone), List.copyOf(lastFailed)));
    }

    private static <T> void keep(Deque<T> last, T item) {
        last.addFirst(item);
        while (last.size() > LAST_ENDED) {
            last.removeLast();
        }
    }

    /** A view of an app with no child at EE2 yet. */
    static Views.Children none(int waiting) {
        return new AppChildren().view(waiting);
    }
}
