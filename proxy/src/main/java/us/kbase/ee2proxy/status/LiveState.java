package us.kbase.ee2proxy.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.ledger.TrackedJob;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.policy.decide.HoldOrder;
import us.kbase.ee2proxy.policy.request.JobCreation;

/**
 * The live state model (package comment): fed by admission, read by the pages. Thread-safe; the
 * feeding methods are short and never wait, so admission can call them on any thread.
 */
public final class LiveState {
    private static final Logger LOG = LoggerFactory.getLogger(LiveState.class);
    /**
     * Between two refreshes of one user's status after releases (each is a ledger read on every
     * replica that shows the user): a page a quarter of a second behind is as good to a scientist.
     */
    static final Duration REFRESH_GAP = Duration.ofMillis(250);

    private final Supplier<AdmissionPolicy> policy;
    private final SlotLedger ledger;
    private final Supplier<String> ledgerHealth;
    private final Clock clock;
    private final Map<String, UserState> users = new ConcurrentHashMap<>();
    /** Every user's unfinished children by job id, and what EE2 shows of their progress. */
    private final ChildProgress progress;
    /** Every waiting call, by id. */
    private final Map<String, WaitingCall> waiting = new ConcurrentHashMap<>();
    /**
     * The same calls by user, then id, so that one user's page reads only that user's calls. Changed
     * only inside {@code compute} on the outer map, so a user's map is never dropped while a call is
     * being put into it.
     */
    private final Map<String, Map<String, WaitingCall>> waitingByUser = new ConcurrentHashMap<>();
    private final MinuteCount decisions;
    /** Apps not in parents.apps seen fanning out, by app; bounded: a deployment runs a few hundred apps. */
    private final FanOuts fanOuts = new FanOuts();
    private volatile List<Views.Stall> stalls = List.of();
    /** Decisions since the last sweep of users with nothing left to show. */
    private final AtomicLong sinceSweep = new AtomicLong();
    /**
     * Waiting calls the console lists per user (the first in queue order; /waiting lists all): a
     * flood of thousands would otherwise make every poll megabytes of JSON.
     */
    static final int CONSOLE_WAITING_PER_USER = 50;
    /** How long a user with nothing running or waiting is still shown (their recent decisions). */
    static final Duration KEEP_IDLE_USER = Duration.ofHours(1);
    /** One sweep every this many decisions: the model stays bounded by the users active in the last hour. */
    private static final long SWEEP_EVERY = 1024;

    /**
     * @param ledger read after a release of one of a user's leases (to learn which jobs finished)
     * @param ledgerHealth the ledger's health in words ("in-memory", "Redis decides", ...)
     */
    public LiveState(Supplier<AdmissionPolicy> policy, SlotLedger ledger, Supplier<String> ledgerHealth, Clock clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.ledgerHealth = Objects.requireNonNull(ledgerHealth, "ledgerHealth");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.decisions = new MinuteCount(() -> clock.instant().getEpochSecond());
        this.progress = new ChildProgress(users::get, clock);
        ledger.onRelease(this::released);
    }

    // Fed by admission

    /** A decision on one of {@code user}'s calls. */
    public void decided(String user, String id, String outcome, JobClass c, String text) {
        decisions.mark();
        if (outcome.startsWith("admitted") && (c instanceof JobClass.Child || c instanceof JobClass.Batch)) {
            progress.childAdmitted();
        }
        user(user).decided(new Decided(clock.instant(), id, outcome, JobClassWords.kind(c), JobClassWords.app(c), text));
        if (sinceSweep.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep();
        }
    }

    // Fed by job tracking and the reconciler: what EE2 shows of the children's progress

    /**
     * Whether the progress of {@code jobId} is of interest: an unfinished child shown, or any job
     * while a child's run_job may still be on its way back (its job can start before the reply).
     * A map lookup: asked for each start_job and runner's status update passing through.
     */
    public boolean watches(String jobId) {
        return progress.watches(jobId);
    }

    /**
     * EE2 shows {@code jobId} in {@code status}: "queued", "running", "completed", "error",
     * "terminated", or "cancelled" (a cancel_job of it that EE2 accepted). Only moves a child
     * forward; a job not known as a child is kept a while in case its run_job reply is late.
     */
    public void progress(String jobId, String status) {
        progress.seen(jobId, status);
    }

    /** Forgets users with no parallel app, no waiting call and no decision in the last {@link #KEEP_IDLE_USER}. */
    void sweep() {
        Instant before = clock.instant().minus(KEEP_IDLE_USER);
        Set<String> busy = usersWaiting();
        users.values().removeIf(u -> !busy.contains(u.user) && u.idleSince(before));
        progress.forgetChildrenOfUsersGone(users::containsKey);
    }

    /** The ledger's counts of {@code user}, as admission or the hold queues just read them. */
    public void counts(String user, UserCounts counts) {
        if (counts != null) {
            user(user).counts(counts, clock.instant());
        }
    }

    /** A call starts (or goes on) waiting: it replaces an entry of the same id. */
    public void waiting(WaitingCall call) {
        waiting.put(call.id(), call);
        waitingByUser.compute(call.user(), (u, calls) -> {
            Map<String, WaitingCall> mine = calls == null ? new ConcurrentHashMap<>() : calls;
            mine.put(call.id(), call);
            return mine;
        });
        user(call.user());
    }

    /**
     * The call's wait ended (admitted, refused, dropped, or decided again). Only that entry goes: the
     * same call waiting again (after its wait was decided again) is a new entry of the same id.
     */
    public void stoppedWaiting(WaitingCall call) {
        if (waiting.remove(call.id(), call)) {
            waitingByUser.computeIfPresent(call.user(), (u, calls) -> {
                calls.remove(call.id(), call);
                return calls.isEmpty() ? null : calls;
            });
        }
    }

    /** EE2 made the jobs of an admitted call: {@code jobIds.get(i)} is claim i's job. */
    public void bound(Classification c, List<String> jobIds) {
        bound(c, jobIds, null);
    }

    /**
     * As {@link #bound(Classification, List)}; {@code creation} (the call's params, null when not
     * known) tells a job in KBParallel's shape, which a job of an app missing from
     * {@code parents.apps} may have sent.
     */
    public void bound(Classification c, List<String> jobIds, JobCreation creation) {
        UserState u = user(c.ledgerUser());
        List<JobClass> members = c.jobClass() instanceof JobClass.Batch b ? b.members() : List.of(c.jobClass());
        Instant now = clock.instant();
        for (int i = 0; i < jobIds.size() && i < members.size(); i++) {
            String jobId = jobIds.get(i);
            if (jobId == null) {
                continue;
            }
            if (members.get(i) instanceof JobClass.Parent p) {
                u.app(new ParallelApp(jobId, p.app(), p.depth(), p.parentJobId(), now));
            } else if (members.get(i) instanceof JobClass.Child ch && ch.parentJobId() != null) {
                fanOuts.child(u, ch.parentJobId(), jobId, now);
            } else if (members.get(i) instanceof JobClass.Plain p) {
                fanOuts.plain(u, jobId, p.app(), kbParallelShaped(creation), now);
            }
        }
        progress.bound(jobIds);
    }

    private static boolean kbParallelShaped(JobCreation creation) {
        return creation instanceof JobCreation.RunJob r && r.params().kbParallelShaped();
    }

    /** Apps not in {@code parents.apps} seen fanning out (the first job seen of each), oldest first. */
    public List<Views.FanOut> fanOuts() {
        return fanOuts.list();
    }

    /** The stall detector's latest finding, shown in {@link #state()}. */
    public void stalls(List<Views.Stall> now) {
        stalls = List.copyOf(now);
    }

    /**
     * EE2 accepted a cancel of {@code user}'s parallel app {@code jobId}: {@code answered} more of its
     * waiting children were answered, {@code cancelledAtEe2} more of its children cancelled at EE2
     * ({@code ee2Asked}: the proxy cancels children at EE2 at all).
     */
    public void appCancelled(String user, String jobId, int answered, int cancelledAtEe2, boolean ee2Asked) {
        user(user).cancelled(jobId, clock.instant(), answered, cancelledAtEe2, ee2Asked);
    }

    /**
     * The unfinished children this replica admitted for {@code user}'s parallel app {@code jobId}
     * (named it, or attributed to it by the classifier).
     */
    public Set<String> childrenOf(String user, String jobId) {
        UserState u = users.get(user);
        return u == null ? Set.of() : u.childrenOf(jobId);
    }


    /**
     * One of {@code user}'s leases was released (on any replica): learn from the ledger which of the
     * user's jobs are still live, and the user's counts. One refresh at a time per user; releases
     * during it ask for one more, {@link #REFRESH_GAP} after it: a user finishing many jobs a
     * second costs the ledger a few reads a second on each replica, not one per release.
     */
    void released(String user) {
        UserState u = users.get(user);
        if (u == null) {
            return; // nobody the model shows
        }
        if (!u.refreshing.compareAndSet(false, true)) {
            u.refreshAgain.set(true);
            return;
        }
        u.refreshAgain.set(false);
        refresh(user, u);
    }

    /** With {@code u.refreshing} taken. */
    private void refresh(String user, UserState u) {
        ledger.leases(user).thenApply(leases -> {
            Set<String> live = new HashSet<>();
            for (TrackedJob j : leases.jobs()) {
                live.add(j.jobId());
            }
            u.keepOnly(live, clock.instant());
            u.inLedger(leases.jobs(), clock.instant());
            u.counts(leases.counts(), clock.instant());
            return null;
        }).whenComplete((done, error) -> {
            if (error != null) {
                LOG.debug("status of {} not refreshed after a release: {}", user, error.toString());
            }
            if (u.refreshAgain.getAndSet(false)) {
                refreshLater(user, u);
                return;
            }
            u.refreshing.set(false);
            // a release between the check and the set asked for one more: ours, unless a newer release took it
            if (u.refreshAgain.getAndSet(false) && u.refreshing.compareAndSet(false, true)) {
                refreshLater(user, u);
            }
        });
    }

    private void refreshLater(String user, UserState u) {
        CompletableFuture.delayedExecutor(REFRESH_GAP.toMillis(), TimeUnit.MILLISECONDS).execute(() -> refresh(user, u));
    }

    // Read by the pages

    /** The waiting call {@code id}, if it waits now. */
    public Optional<WaitingCall> call(String id) {
        return Optional.ofNullable(waiting.get(id));
    }

    /** The children's job limit on top of {@code counts}: the reserve lent while the user is away. */
    private static int childJobLimit(Limits l, UserCounts counts) {
        return counts != null && !l.reserveNeverLent() && !counts.ownCallRecent() ? l.lentChildJobLimit()
                : l.childJobLimit();
    }

    /** One user's view; {@code forOperator} adds the rule-and-numbers texts. */
    public Views.User user(String user, boolean forOperator) {
        return user(user, forOperator, waitingOf(user), Integer.MAX_VALUE);
    }

    /** @param shown how many of the user's waiting calls to list (the first in queue order); all are counted */
    private Views.User user(String user, boolean forOperator, List<WaitingCall> waitingCalls, int shown) {
        UserState u = users.get(user);
        Limits l = policy.get().forUser(user).limits();
        UserCounts counts = u == null ? null : u.counts();
        Instant at = u == null ? null : u.countsAt();
        Boolean ownCallRecent = counts == null || l.reserveNeverLent() ? null : counts.ownCallRecent();
        Views.Slots slots = new Views.Slots(l.slots(), l.parentCap(0), childJobLimit(l, counts),
                counts == null ? null : counts.parents(), counts == null ? null : counts.jobs(),
                at == null ? null : at.toString(), policy.get().forUser(user).limitsSource(), ownCallRecent);
        List<Views.Waiting> mine = ordered(user, waitingCalls, forOperator);
        List<Views.App> apps = new ArrayList<>();
        if (u != null) {
            for (ParallelApp a : u.apps()) {
                int waitingChildren = (int) mine.stream().filter(w -> a.jobId().equals(w.parentJobId())).count();
                apps.add(new Views.App(a.jobId(), a.app(), a.depth(), a.startedBy(), a.admitted().toString(),
                        u.childrenView(a.jobId(), waitingChildren), a.listed(), UserState.AppCancel.view(u.cancelOf(a.jobId())), null));
            }
        }
        List<Views.App> finished = new ArrayList<>();
        if (u != null) {
            for (UserState.EndedApp e : u.ended()) {
                ParallelApp a = e.app();
                finished.add(new Views.App(a.jobId(), a.app(), a.depth(), a.startedBy(), a.admitted().toString(),
                        e.children(), a.listed(), null, e.endedAt().toString()));
            }
        }
        List<Views.Decision> recent = new ArrayList<>();
        if (u != null) {
            for (Decided d : u.recent()) {
                recent.add(new Views.Decision(d.at().toString(), d.id(), d.outcome(), d.kind(), d.app(), d.text()));
            }
        }
        List<Views.Next> next = forOperator ? NextCalls.of(policy.get(), user, counts, u == null ? List.of() : u.apps())
                : null;
        return new Views.User(user, slots, apps, mine.size() > shown ? List.copyOf(mine.subList(0, shown)) : mine,
                mine.size(), recent, next, finished);
    }

    /** Every waiting call, each user's in the order they are tried. */
    public List<Views.Waiting> waitingCalls() {
        List<Views.Waiting> all = new ArrayList<>();
        byUser().forEach((user, calls) -> all.addAll(ordered(user, calls, true)));
        return all;
    }

    /** Over all users. */
    public Views.Global global() {
        Instant now = clock.instant();
        List<String> atCap = new ArrayList<>();
        for (UserState u : users.values()) {
            UserCounts c = u.counts();
            Limits l = policy.get().forUser(u.user).limits();
            if (c != null && (c.parents() >= l.parentCap(0) || c.jobs() >= childJobLimit(l, c))) {
                atCap.add(u.user);
            }
        }
        atCap.sort(Comparator.naturalOrder());
        Map<String, Integer> byKind = new TreeMap<>();
        long oldest = 0;
        for (WaitingCall w : waiting.values()) {
            byKind.merge(w.kind(), 1, Integer::sum);
            oldest = Math.max(oldest, Duration.between(w.since(), now).toSeconds());
        }
        return new Views.Global(now.toString(), atCap, waiting.size(), byKind, oldest, ledgerHealth.get(),
                decisions.lastMinute());
    }

    /** Everything, for operators: every user with something to show. */
    public Views.State state() {
        Map<String, List<WaitingCall>> waitingByUser = byUser();
        Set<String> shown = new TreeSet<>(users.keySet());
        shown.addAll(waitingByUser.keySet());
        List<Views.User> all = new ArrayList<>();
        for (String user : shown) {
            all.add(user(user, true, waitingByUser.getOrDefault(user, List.of()), CONSOLE_WAITING_PER_USER));
        }
        return new Views.State(global(), all, stalls, fanOuts());
    }

    private Set<String> usersWaiting() {
        return new HashSet<>(waitingByUser.keySet());
    }

    /** Every waiting call by user, users in name order: one pass over the calls, however many users. */
    private Map<String, List<WaitingCall>> byUser() {
        Map<String, List<WaitingCall>> out = new TreeMap<>();
        waitingByUser.forEach((user, calls) -> out.put(user, new ArrayList<>(calls.values())));
        return out;
    }

    private List<WaitingCall> waitingOf(String user) {
        return new ArrayList<>(waitingByUser.getOrDefault(user, Map.of()).values());
    }

    /** {@code user}'s waiting calls in the order the queue tries them (HoldOrder, oldest first within a band). */
    private List<Views.Waiting> ordered(String user, List<WaitingCall> calls, boolean forOperator) {
        List<WaitingCall> mine = new ArrayList<>(calls);
        mine.sort(Comparator.comparing(WaitingCall::since));
        List<WaitingCall> order = HoldOrder.of(mine, w -> w.held().classification(), w -> w.held().priority());
        Instant now = clock.instant();
        List<Views.Waiting> out = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            WaitingCall w = order.get(i);
            out.add(new Views.Waiting(w.id(), user, w.kind(), w.app(), w.parentJobId(), w.reason(),
                    forOperator ? w.adminReason() : null, i + 1, order.size(), Duration.between(w.since(), now).toSeconds(),
                    w.maxWait() == null ? 0 : w.maxWait().toSeconds(), w.atEnd(), w.since().toString(), w.held().priority()));
        }
        return out;
    }

    private UserState user(String user) {
        return users.computeIfAbsent(user, name -> new UserState(name, progress.children()));
    }
}
