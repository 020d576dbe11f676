package us.kbase.ee2proxy.status;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import us.kbase.ee2proxy.ledger.TrackedJob;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * What {@link LiveState} keeps of one user: the ledger's last counts, the parallel apps admitted
 * and their children, the recent decisions. Guarded by its own monitor; every method is short.
 */
final class UserState {
    /** Decisions kept per user. */
    static final int RECENT = 20;

    final String user;
    /** A refresh from the ledger is running; another release during it asks for one more. */
    final AtomicBoolean refreshing = new AtomicBoolean();
    final AtomicBoolean refreshAgain = new AtomicBoolean();
    private UserCounts counts;
    private Instant countsAt;
    private final Map<String, ParallelApp> apps = new LinkedHashMap<>();
    /** Admitted children by the parent job id that sent them (or that they were attributed to). */
    private final Map<String, AppChildren> children = new HashMap<>();
    /**
     * Every user's unfinished children by job id ({@link LiveState}'s, shared): a child is put in
     * and taken out here, under this monitor, as it enters and leaves {@link #children}.
     */
    private final Map<String, ChildOf> index;
    private final Deque<Decided> recent = new ArrayDeque<>();
    /**
     * Live jobs of apps not in {@code parents.apps} that the narrative sent (not in KBParallel's
     * shape), module by job id, oldest first: the jobs that may turn out to fan out. Bounded: a
     * user's own jobs number in the tens.
     */
    private final Map<String, String> plainJobs = new LinkedHashMap<>();
    static final int PLAIN_KEPT = 1000;
    /**
     * Parallel apps seen to end lately, newest first (at most {@link #RECENT}): a scientist whose app
     * just finished still sees what became of its children.
     */
    private final Deque<EndedApp> ended = new ArrayDeque<>();
    /** Parallel apps cancelled through the proxy lately (at most {@link #RECENT}), shown until they age out. */
    private final Map<String, AppCancel> cancelled = new LinkedHashMap<>();

    /** A cancel of one parallel app: when, and what was done to its children so far. */
    record AppCancel(Instant at, int answered, int atEe2, boolean ee2Asked) {
        /** What the pages show of a cancel (null: none), saying whether children at EE2 were cancelled or left to run. */
        static Views.Cancelled view(AppCancel c) {
            if (c == null) {
                return null;
            }
            String text = "cancelled: " + c.answered() + " of its children waiting at the proxy answered \"not submitted\"; "
                    + (c.ee2Asked() ? c.atEe2() + " of its children already at EE2 cancelled by the proxy"
                            : "its children already at EE2 are left to run (admission.cancelChildrenWithParent is off)");
            return new Views.Cancelled(c.at().toString(), c.answered(), c.atEe2(), text);
        }
    }

    /** A parallel app that ended: its children as they were when its lease went, and when that was seen. */
    record EndedApp(ParallelApp app, Views.Children children, Instant endedAt) {}

    /** Where an unfinished child is shown: its user and parallel app. */
    record ChildOf(String user, String parentJobId) {}

    UserState(String user, Map<String, ChildOf> index) {
        this.user = user;
        this.index = index;
    }

    synchronized void counts(UserCounts value, Instant at) {
        counts = value;
        countsAt = at;
    }

    synchronized UserCounts counts() {
        return counts;
    }

    synchronized Instant countsAt() {
        return countsAt;
    }

    synchronized void decided(Decided d) {
        Decided last = recent.peekFirst();
        if (last != null && last.id().equals(d.id()) && last.outcome().equals(d.outcome())) {
            recent.removeFirst(); // the same call waiting again (its wait decided again): one line, the latest
        }
        recent.addFirst(d);
        while (recent.size() > RECENT) {
            recent.removeLast();
        }
    }

    synchronized List<Decided> recent() {
        return List.copyOf(recent);
    }

    /** EE2 accepted a cancel of {@code jobId}: {@code answered} more waiting children answered, {@code atEe2} more cancelled there. */
    synchronized void cancelled(String jobId, Instant at, int answered, int atEe2, boolean ee2Asked) {
        if (!apps.containsKey(jobId)) {
            return; // not a parallel app this replica admitted (or one shown no more)
        }
        AppCancel before = cancelled.remove(jobId);
        cancelled.put(jobId, before == null ? new AppCancel(at, answered, atEe2, ee2Asked)
                : new AppCancel(before.at(), before.answered() + answered, before.atEe2() + atEe2, ee2Asked));
        while (cancelled.size() > RECENT) {
            String oldest = cancelled.keySet().iterator().next();
            cancelled.remove(oldest);
            apps.remove(oldest);
        }
    }

    /** The cancel of {@code jobId}, or null. */
    synchronized AppCancel cancelOf(String jobId) {
        return cancelled.get(jobId);
    }

    synchronized void app(ParallelApp app) {
        apps.put(app.jobId(), app);
    }

    synchronized void child(String parentJobId, String jobId) {
        children.computeIfAbsent(parentJobId, p -> new AppChildren()).admitted(jobId);
        index.put(jobId, new ChildOf(user, parentJobId));
    }

    /** EE2 shows the child {@code jobId} of {@code parentJobId} in {@code status} (see {@link AppChildren#seen}). */
    synchronized void childSeen(String parentJobId, String jobId, String status) {
        AppChildren c = children.get(parentJobId);
        if (c != null && c.seen(jobId, status)) {
            index.remove(jobId, new ChildOf(user, parentJobId));
        }
    }

    /** The children of {@code parentJobId}, {@code waiting} of them waiting at the proxy. */
    synchronized Views.Children childrenView(String parentJobId, int waiting) {
        AppChildren c = children.get(parentJobId);
        return c == null ? AppChildren.none(waiting) : c.view(waiting);
    }

    synchronized void plain(String jobId, String app) {
        plainJobs.put(jobId, app);
        if (plainJobs.size() > PLAIN_KEPT) {
            plainJobs.remove(plainJobs.keySet().iterator().next());
        }
    }

    synchronized boolean hasApp(String jobId) {
        return apps.containsKey(jobId);
    }

    /**
     * The plain job {@code jobId}, named as a parent by a child, now shown as a parallel app not in
     * {@code parents.apps}; null when the user has no such live plain job.
     */
    synchronized ParallelApp fannedOut(String jobId, Instant now) {
        String app = plainJobs.remove(jobId);
        if (app == null) {
            return null;
        }
        ParallelApp fanned = new ParallelApp(jobId, app, 0, null, now, false);
        apps.put(jobId, fanned);
        return fanned;
    }

    /**
     * Which unlisted job of module {@code app} most likely sent a KBParallel-shaped job of that
     * module: KBParallel's known callers fan out into workers of their own module. Of the user's
     * live jobs of that module sent by the narrative, the one with the fewest children so far
     * (each running app submits its own); null when there is none.
     */
    synchronized ParallelApp senderOf(String app, Instant now) {
        ParallelApp best = null;
        int fewest = Integer.MAX_VALUE;
        for (ParallelApp a : apps.values()) {
            int n = admittedChildren(a.jobId()) + finishedChildren(a.jobId());
            if (!a.listed() && a.app().equals(app) && n < fewest) {
                best = a;
                fewest = n;
            }
        }
        if (fewest == 0) {
            return best;
        }
        for (var e : plainJobs.entrySet()) {
            if (e.getValue().equals(app)) {
                return fannedOut(e.getKey(), now); // a job with no children yet has the fewest
            }
        }
        return best;
    }

    synchronized List<ParallelApp> apps() {
        return new ArrayList<>(apps.values());
    }

    synchronized Set<String> childrenOf(String parentJobId) {
        AppChildren c = children.get(parentJobId);
        return c == null ? Set.of() : c.liveIds();
    }

    synchronized int admittedChildren(String parentJobId) {
        AppChildren c = children.get(parentJobId);
        return c == null ? 0 : c.unfinished();
    }

    synchronized int finishedChildren(String parentJobId) {
        AppChildren c = children.get(parentJobId);
        return c == null ? 0 : c.ended();
    }

    /**
     * The ledger's live bound leases of the user are {@code live}: every parallel app or child not
     * among them has finished (or its lease expired); a child whose end was not seen counts as
     * ended unseen. A finished parent's children are forgotten with it, after a last look kept in
     * {@link #ended()}.
     */
    synchronized void keepOnly(Set<String> live, Instant now) {
        for (var e : children.entrySet()) {
            for (String gone : e.getValue().keepOnly(live)) {
                index.remove(gone, new ChildOf(user, e.getKey()));
            }
        }
        // A cancelled app stays shown (with what was done to its children) until it ages out.
        apps.values().removeIf(app -> {
            if (live.contains(app.jobId()) || cancelled.containsKey(app.jobId())) {
                return false;
            }
            ended.addFirst(new EndedApp(app, childrenView(app.jobId(), 0), now));
            if (ended.size() > RECENT) {
                ended.removeLast();
            }
            return true;
        });
        plainJobs.keySet().retainAll(live);
        children.entrySet().removeIf(e -> {
            if (apps.containsKey(e.getKey())) {
                return false;
            }
            for (String child : e.getValue().liveIds()) {
                index.remove(child, new ChildOf(user, e.getKey()));
            }
            return true;
        });
    }

    /**
     * The user's parallel apps and their children that the shared ledger holds (from the same read
     * as {@link #keepOnly}) but this replica did not admit: another replica did. Shown here too, so
     * each replica's tree is the ledger's; for such an app "admitted" is when this replica first saw
     * it, and who started it is not known. What this replica admitted itself stays as it is.
     */
    synchronized void inLedger(List<TrackedJob> leases, Instant now) {
        for (TrackedJob j : leases) {
            SlotClaim c = j.claim();
            if (c.parent() && !apps.containsKey(j.jobId())) {
                apps.put(j.jobId(), new ParallelApp(j.jobId(), c.app(), c.depth(), null, now));
            }
        }
        for (TrackedJob j : leases) {
            String parent = j.claim().childOf();
            if (!j.claim().parent() && parent != null && apps.containsKey(parent)
                    && children.computeIfAbsent(parent, p -> new AppChildren()).inLedger(j.jobId())) {
                index.put(j.jobId(), new ChildOf(user, parent));
            }
        }
    }

    /** The parallel apps seen to end lately, newest first. */
    synchronized List<EndedApp> ended() {
        return List.copyOf(ended);
    }

    /** No parallel app is known and the last decision (if any) was before {@code before}. */
    synchronized boolean idleSince(Instant before) {
        return cancelled.keySet().containsAll(apps.keySet())
                && (recent.isEmpty() || recent.peekFirst().at().isBefore(before));
    }
}
