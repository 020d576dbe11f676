package us.kbase.ee2proxy.policy.simulation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.ActiveParent;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;
import us.kbase.ee2proxy.policy.decide.Admission;
import us.kbase.ee2proxy.policy.decide.Decision;
import us.kbase.ee2proxy.policy.decide.Decision.Admit;
import us.kbase.ee2proxy.policy.decide.Decision.Hold;
import us.kbase.ee2proxy.policy.decide.HoldOrder;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.RunJobParams;
import us.kbase.ee2proxy.policy.simulation.Outcome.Violation;
import us.kbase.ee2proxy.policy.simulation.Work.Arrival;
import us.kbase.ee2proxy.policy.simulation.Work.Batch;
import us.kbase.ee2proxy.policy.simulation.Work.Leaf;
import us.kbase.ee2proxy.policy.simulation.Work.ParallelApp;

/**
 * A discrete-event model of KBase behind the proxy, in whole seconds: per user, HTCondor's FIFO
 * queue with S running slots; KBParallel-style parents that submit children through the
 * admission rules and finish only after all of them; the proxy's hold queue in
 * {@link HoldOrder}. It checks, after every step, the invariants the rules promise and
 * stops at the first one broken.
 *
 * <p>Children are sent in the shape {@link ChildShape} says: as the real KBParallel sends them
 * (no {@code parent_job_id}, a module-only {@code app_id}, {@code remote_url}), or with
 * {@code parent_job_id} set. Either way a refused child fails its whole app, as KBParallel
 * re-raises the error: {@link Violation#APP_FAILED}.
 */
final class FifoSimulation {

    /** How a running parallel app's children are sent. */
    enum ChildShape {
        /** The real KBParallel 0.4.3: parent_job_id null, app_id the module alone, a remote_url key. */
        KBPARALLEL,
        /** Our old assumption, still what a caller that passes parent_job_id to run_batch sends. */
        PARENT_JOB_ID
    }

    private static final class Stop extends RuntimeException {
        final Violation violation;

        Stop(Violation violation, String detail) {
            super(detail, null, false, false);
            this.violation = violation;
        }
    }

    private final class Job {
        final String id = "job" + (++ids);
        final String user;
        final Work work;
        final Job parent;
        final SlotClaim claim;
        boolean running;
        boolean done;
        int next;
        int outstanding;
        boolean blocked;
        boolean finishing;

        Job(String user, Work work, Job parent, SlotClaim claim) {
            this.user = user;
            this.work = work;
            this.parent = parent;
            this.claim = claim;
        }

        @Override
        public String toString() {
            return id + "(" + claim.app() + (claim.parent() ? " parent d" + claim.depth() : "") + ")";
        }
    }

    private final class Request {
        final String user;
        final List<Work> works;
        final Job submitter;
        final Classification classification;
        final int since;
        int expiresAt = -1;

        Request(String user, List<Work> works, Job submitter, Classification c) {
            this.user = user;
            this.works = works;
            this.submitter = submitter;
            this.classification = c;
            this.since = now;
        }

        boolean lowPriority() {
            JobClass c = classification.jobClass();
            return c instanceof JobClass.Child || c instanceof JobClass.Batch b && b.hasChildren();
        }

        int deepestParent() {
            return classification.claims().stream().filter(SlotClaim::parent).mapToInt(SlotClaim::depth).max().orElse(-1);
        }

        @Override
        public String toString() {
            return classification.jobClass() + " held since " + since;
        }
    }

    private final class User {
        final Deque<Job> queue = new ArrayDeque<>();
        final List<Job> active = new ArrayList<>();
        /** Until when (s) the user's own last call keeps the reserve, as the ledger records it. */
        int ownCallUntil = Integer.MIN_VALUE;
        final List<Request> held = new ArrayList<>();
        int running;
    }

    private record Event(int time, long seq, Runnable action, boolean finish) {}

    /** The method of a parallel app; its workers and other jobs run {@code Module.run}. */
    static final String APP_METHOD = ".run_app";

    private final AdmissionPolicy policy;
    private final Rules rules;
    private final ChildShape shape;
    /** Holds that end in an admission (aging) still to come: progress, not a deadlock. */
    private int pendingAgings;
    private final PriorityQueue<Event> events =
            new PriorityQueue<>(Comparator.comparingInt(Event::time).thenComparingLong(Event::seq));
    private final Map<String, User> users = new TreeMap<>();
    private final Set<Job> dirty = new LinkedHashSet<>();
    private int ids;
    private long seq;
    private int now;
    private int pendingFinishes;
    private int admitted;
    private int refused;
    private int holds;
    private int aged;
    private int deepest = -1;

    FifoSimulation(AdmissionPolicy policy, Rules rules) {
        this(policy, rules, ChildShape.KBPARALLEL);
    }

    FifoSimulation(AdmissionPolicy policy, Rules rules, ChildShape shape) {
        // Without parent_job_id a worker of an app's own module and a nested app of that module
        // sent by another app look alike on the wire; listing the apps by method tells them apart
        // (README: how children are recognised). With parent_job_id the module entries are exact.
        this.policy = shape == ChildShape.KBPARALLEL
                ? policy.toBuilder().parallelApps(Scenario.PARALLEL.stream().map(m -> m + APP_METHOD).toList()).build()
                : policy;
        this.rules = rules;
        this.shape = shape;
    }

    Outcome run(List<Arrival> arrivals) {
        for (Arrival a : arrivals) {
            at(a.at(), false, () -> submit(a.user(), a.work(), null));
        }
        try {
            while (!events.isEmpty()) {
                now = events.peek().time();
                while (!events.isEmpty() && events.peek().time() == now) {
                    Event e = events.poll();
                    if (e.finish()) {
                        pendingFinishes--;
                    }
                    e.action().run();
                }
                settle();
                check();
            }
        } catch (Stop s) {
            return new Outcome(s.violation, "at " + now + "s: " + s.getMessage(), admitted, refused, holds, aged,
                    deepest, now);
        }
        return new Outcome(null, null, admitted, refused, holds, aged, deepest, now);
    }

    private void at(int time, boolean finish, Runnable action) {
        if (finish) {
            pendingFinishes++;
        }
        events.add(new Event(time, ++seq, action, finish));
    }

    private User user(String name) {
        return users.computeIfAbsent(name, n -> new User());
    }

    private Limits limits(String user) {
        return policy.forUser(user).limits();
    }

    /** One call through the proxy: classify, then decide. */
    private void submit(String userName, Work work, Job submitter) {
        List<Work> works = work instanceof Batch b ? b.members() : List.of(work);
        JobCreation call = work instanceof Batch b
                ? new JobCreation.RunJobBatch(b.members().stream().map(w -> params(w, null)).toList(), false)
                : new JobCreation.RunJob(params(work, submitter), false);
        Map<String, SlotClaim> parents = new HashMap<>();
        List<ActiveParent> active = new ArrayList<>();
        for (Job j : user(userName).active) {
            if (j.claim.parent()) {
                parents.put(j.id, j.claim);
                active.add(new ActiveParent(j.id, j.claim));
            }
        }
        Classification c = Classifier.classify(policy, call, userName, ParentLookup.of(userName, parents, active),
                RetryLookup.NONE);
        if (submitter != null) {
            submitter.outstanding++;
        }
        attempt(new Request(userName, works, submitter, c));
    }

    private RunJobParams params(Work w, Job submitter) {
        String app = w instanceof Leaf l ? l.app() : ((ParallelApp) w).app();
        if (submitter != null && (app.equals(Work.SAME_MODULE) || w instanceof ParallelApp && app.equals(submitter.claim.app()))) {
            // A leaf copy of the parent's own module; a nested app of another module than its parent's.
            app = w instanceof Leaf ? submitter.claim.app() : otherModule(submitter.claim.app());
        }
        RunJobParams p = RunJobParams.of(app + (w instanceof ParallelApp ? APP_METHOD : ".run"));
        if (submitter == null) {
            return p;
        }
        return shape == ChildShape.KBPARALLEL ? p.asKbParallelChild() : p.withParentJobId(submitter.id);
    }

    static String otherModule(String app) {
        return app.equals("kb_concoct") ? "kb_Bwa" : "kb_concoct";
    }

    private UserCounts counts(User u) {
        int parents = 0;
        Map<String, Integer> byApp = new TreeMap<>();
        for (Job j : u.active) {
            if (j.claim.parent()) {
                parents++;
                byApp.merge(j.claim.app(), 1, Integer::sum);
            }
        }
        return new UserCounts(parents, u.active.size(), byApp, u.ownCallUntil > now ? (u.ownCallUntil - now) * 1000L : 0);
    }

    /** Decide (again) for a request; true when it left the hold queue. */
    private boolean attempt(Request r) {
        User u = user(r.classification.ledgerUser());
        EffectivePolicy p = policy.forUser(r.classification.ledgerUser());
        UserCounts counts = counts(u);
        Duration waited = Duration.ofSeconds(now - r.since);
        Decision d = rules.decide(p, counts, r.classification, waited);
        // The ledger's step: an own call keeps the user's reserve from its arrival (the proxy's
        // first acquire, on zero counts, always reaches the ledger), whether it fits or waits.
        long marks = waited.isZero() ? Admission.demand(p, r.classification, waited).marksOwnCallMs() : 0;
        if (marks > 0) {
            u.ownCallUntil = Math.max(u.ownCallUntil, now + (int) ((marks + 999) / 1000));
        }
        if (d instanceof Hold h && h.demand().marksOwnCallMs() > 0) {
            throw new Stop(Violation.DEMAND_DISAGREES, "held " + r + " with a demand that marks an own call at every retry");
        }
        if (d instanceof Admit a) {
            if (rules == Rules.REAL && !a.demand().fits(counts)) {
                throw new Stop(Violation.DEMAND_DISAGREES, "admitted " + r + " but " + a.demand() + " does not fit " + counts);
            }
            withinChildBounds(r, u, a.demand());
            admit(r, u, counts, waited);
            return true;
        }
        if (d instanceof Hold h) {
            if (rules == Rules.REAL && h.demand().fits(counts)) {
                throw new Stop(Violation.DEMAND_DISAGREES, "held " + r + " but " + h.demand() + " fits " + counts);
            }
            if (!u.held.contains(r)) {
                holds++;
                u.held.add(r);
                if (r.submitter != null) {
                    r.submitter.blocked = true;
                }
            }
            int end = now + (int) Math.max(1, (h.atMost().toMillis() + 999) / 1000);
            if (end != r.expiresAt) {
                r.expiresAt = end;
                // A hold that ends in an admission (a child's aging) is progress, not a deadlock.
                boolean aging = h.then() == Decision.Then.ADMIT;
                if (aging) {
                    pendingAgings++;
                }
                at(end, false, () -> {
                    if (aging) {
                        pendingAgings--;
                    }
                    if (user(r.classification.ledgerUser()).held.contains(r) && attempt(r)) {
                        user(r.classification.ledgerUser()).held.remove(r);
                    }
                });
            }
            return false;
        }
        refuse(r);
        return true;
    }

    /**
     * The ledger's check of children.perParent, on the same leases: every child here is sent by a
     * running app keeping at most its concurrency outstanding, so none may be found beyond it.
     */
    private void withinChildBounds(Request r, User u, SlotDemand demand) {
        for (ChildBound b : demand.childBounds()) {
            long unfinished = u.active.stream().filter(j -> b.counts(j.claim)).count();
            if (unfinished + demand.childrenOf(b) > b.limit()) {
                throw new Stop(Violation.BEYOND_BOUND, r + " sent by " + r.submitter + " with " + unfinished
                        + " unfinished children of " + b.parent() + " already, bound " + b.limit());
            }
        }
    }

    private void admit(Request r, User u, UserCounts before, Duration waited) {
        Limits l = limits(r.classification.ledgerUser());
        List<SlotClaim> claims = r.classification.claims();
        int newParents = (int) claims.stream().filter(SlotClaim::parent).count();
        if (newParents == 1 && claims.size() == 1) {
            // Deeper than the policy's depth only when sent by a running app: it waits on the deepest cap.
            int depth = Math.min(claims.get(0).depth(), l.parentsMaxNestingDepth());
            if (before.parents() >= l.parentCap(depth)) {
                throw new Stop(Violation.PARENT_CAP, r + " admitted at depth " + depth + " with P(u)=" + before.parents());
            }
        } else if (newParents > 0 && before.parents() + newParents > l.parentsMaxPerUser()) {
            throw new Stop(Violation.PARENT_CAP, "batch of " + newParents + " parents admitted with P(u)=" + before.parents());
        }
        if (before.parents() + newParents > l.slots() - 1) {
            throw new Stop(Violation.PARENT_CAP, (before.parents() + newParents) + " parents admitted with " + l.slots() + " slots");
        }
        boolean aged = waited.compareTo(l.childrenMaxWait()) >= 0;
        // The reserve is lent to children only while the user's own last call is older than reserveFor.
        int childLimit = before.ownCallRecent() ? l.childJobLimit() : l.lentChildJobLimit();
        if (l.lentChildJobLimit() < l.childJobLimit() || childLimit > l.childJobLimit() + l.childrenReserve()) {
            throw new Stop(Violation.CHILD_CAP, "lent limit " + l.lentChildJobLimit() + " against kept " + l.childJobLimit());
        }
        if (r.lowPriority() && !aged && before.jobs() >= childLimit) {
            throw new Stop(Violation.CHILD_CAP, r + " admitted with A(u)=" + before.jobs());
        }
        if (r.lowPriority() && waited.compareTo(l.childrenMaxWait()) > 0) {
            throw new Stop(Violation.CHILD_HELD_TOO_LONG, r + " admitted after " + waited);
        }
        if (r.lowPriority() && aged && before.jobs() >= l.childJobLimit()) {
            this.aged++;
        }
        deepest = Math.max(deepest, r.deepestParent());
        for (int i = 0; i < claims.size(); i++) {
            Job j = new Job(r.classification.ledgerUser(), r.works.get(r.classification.jobIndexes().get(i)), r.submitter,
                    claims.get(i));
            u.active.add(j);
            u.queue.add(j);
            admitted++;
        }
        if (r.submitter != null) {
            r.submitter.blocked = false;
            dirty.add(r.submitter);
        }
    }

    private void refuse(Request r) {
        if (r.classification.jobClass() instanceof JobClass.Child) {
            throw new Stop(Violation.CHILD_REFUSED, r + " refused");
        }
        if (r.submitter != null) {
            // KBParallel re-raises the error: the whole app fails.
            throw new Stop(Violation.APP_FAILED, r + " sent by " + r.submitter + " refused");
        }
        refused++;
    }

    /** Start what HTCondor would start, let parents submit, retry holds; until nothing moves. */
    private void settle() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Map.Entry<String, User> e : users.entrySet()) {
                User u = e.getValue();
                int slots = limits(e.getKey()).slots();
                while (u.running < slots && !u.queue.isEmpty()) {
                    start(u.queue.poll(), u);
                    moved = true;
                }
            }
            while (!dirty.isEmpty()) {
                Job j = dirty.iterator().next();
                dirty.remove(j);
                pump(j);
                moved = true;
            }
            for (User u : users.values()) {
                moved |= retryHolds(u);
            }
        }
    }

    private void start(Job j, User u) {
        j.running = true;
        u.running++;
        if (j.work instanceof Leaf leaf) {
            at(now + leaf.seconds(), true, () -> finish(j));
        } else {
            dirty.add(j);
        }
    }

    /** KBParallel: submit while below the concurrency and not blocked on a held call. */
    private void pump(Job j) {
        if (!j.running || j.done || !(j.work instanceof ParallelApp app)) {
            return;
        }
        while (!j.blocked && j.next < app.children().size() && j.outstanding < app.concurrency()) {
            submit(j.user, app.children().get(j.next++), j);
        }
        if (j.next == app.children().size() && j.outstanding == 0 && !j.finishing) {
            j.finishing = true;
            at(now + 1, true, () -> finish(j));
        }
    }

    private void finish(Job j) {
        User u = user(j.user);
        j.done = true;
        j.running = false;
        u.running--;
        u.active.remove(j);
        if (j.parent != null) {
            j.parent.outstanding--;
            dirty.add(j.parent);
        }
    }

    /** In the proxy's order ({@link HoldOrder}); a release may admit several. */
    private boolean retryHolds(User u) {
        if (u.held.isEmpty()) {
            return false;
        }
        boolean moved = false;
        for (Request r : HoldOrder.of(List.copyOf(u.held), r -> r.classification)) {
            if (attempt(r)) {
                u.held.remove(r);
                moved = true;
            }
        }
        return moved;
    }

    /** How deep a job sent by {@code submitter} really nests: 0 for a top-level one. */
    private static int nesting(Job submitter) {
        return submitter == null ? 0 : nesting(submitter.parent) + 1;
    }

    private void check() {
        boolean unfinished = false;
        for (Map.Entry<String, User> e : users.entrySet()) {
            User u = e.getValue();
            Limits l = limits(e.getKey());
            long runningParents = u.active.stream().filter(j -> j.running && j.claim.parent()).count();
            if (runningParents > l.slots() - 1) {
                throw new Stop(Violation.PARENT_CAP, runningParents + " parents running with " + l.slots() + " slots");
            }
            for (Request r : u.held) {
                if (r.lowPriority() && now - r.since > l.childrenMaxWait().toSeconds()) {
                    throw new Stop(Violation.CHILD_HELD_TOO_LONG, r + " still held at " + now);
                }
                if (!r.lowPriority() && r.deepestParent() < 0 && now - r.since > l.ownJobsMaxWait().toSeconds()) {
                    throw new Stop(Violation.OWN_JOB_HELD_TOO_LONG, r + " still held at " + now);
                }
            }
            unfinished |= !u.active.isEmpty() || !u.held.isEmpty();
        }
        if (unfinished && pendingFinishes == 0 && pendingAgings == 0) {
            for (Map.Entry<String, User> e : users.entrySet()) {
                int maxDepth = limits(e.getKey()).parentsMaxNestingDepth();
                for (Request r : e.getValue().held) {
                    // The depth the proxy gave it: the true one with parent_job_id, an estimate without
                    // (the deepest app of another module that may have sent it, never less than the truth).
                    if (r.deepestParent() > maxDepth) {
                        throw new Stop(Violation.NESTED_TOO_DEEP, r + " (nested " + nesting(r.submitter)
                                + " deep) was given a depth over parents.maxNestingDepth " + maxDepth
                                + " and waits for a parent to finish, with slots - 1 parents running");
                    }
                }
            }
            StringBuilder sb = new StringBuilder("nothing can finish by itself;");
            users.forEach((name, u) -> sb.append(" user ").append(name).append(" ").append(limits(name)).append(": running ")
                    .append(u.active.stream().filter(j -> j.running).toList()).append(", queued ").append(u.queue)
                    .append(", held ").append(u.held.stream().map(r -> r + " (nested " + nesting(r.submitter) + ", sent by "
                            + r.submitter + ")").toList()).append(';'));
            throw new Stop(Violation.DEADLOCK, sb.toString());
        }
    }
}
