package us.kbase.ee2proxy.policy.decide;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.Mode;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.WhenFull;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.policy.classify.JobClass.Batch;
import us.kbase.ee2proxy.policy.classify.JobClass.Child;
import us.kbase.ee2proxy.policy.classify.JobClass.Exempt;
import us.kbase.ee2proxy.policy.classify.JobClass.Parent;
import us.kbase.ee2proxy.policy.decide.Decision.Admit;
import us.kbase.ee2proxy.policy.decide.Decision.Hold;
import us.kbase.ee2proxy.policy.decide.Decision.Refuse;
import us.kbase.ee2proxy.policy.decide.Decision.Then;
import us.kbase.ee2proxy.policy.decide.Reason.Outcome;
import us.kbase.ee2proxy.policy.decide.Reason.Who;

/**
 * The admission rules as pure functions (DESIGN.md, "Admission rules"). For a ledger user with
 * S slots, P(u) unfinished parents and A(u) unfinished admitted jobs:
 * <ul>
 *   <li>exempt: admitted with no claim;
 *   <li>a user's own call (plain, a parallel app, a batch without children): besides its class's
 *       rule below, it reaches EE2 only while A(u) < S + ownJobs.maxQueued (EE2 runs a user's jobs
 *       first come, first served, so a job sent beyond the slots only queues there, ahead of the
 *       user's next one); otherwise it waits at the proxy, where {@link HoldOrder} puts the user's
 *       own jobs first, and after ownJobs.maxWait it is admitted anyway (aging). A plain job is
 *       never refused;
 *   <li>parent at depth d: refused when d > maxNestingDepth; admitted iff P(u) < C_d = C_0 + d;
 *       otherwise held up to parents.maxWait then refused, or refused at once (parents.whenFull);
 *   <li>a call sent by a running parallel app ({@link Classification#fromParallelApp()}: a child, or a
 *       nested parallel app) is never refused, since KBParallel fails the whole app on an error
 *       reply. A nested parallel app over its cap waits until it fits (never admitted over it:
 *       admitting one nested app early breaks the depth argument below and can fill every slot
 *       with parents), however long; a nesting deeper than parents.maxNestingDepth waits on the
 *       deepest cap instead of a refusal;
 *   <li>child: admitted iff A(u) < S - children.reserve + children.maxQueued while the user sent one
 *       of their own calls within children.reserveFor (the ledger records each own call, and picks
 *       the limit in the same atomic step), else A(u) < S + children.maxQueued (the reserve is lent
 *       while the user is away); otherwise held; after children.maxWait admitted anyway;
 *   <li>a batch of k parents and m others (run_job_batch, or retry_jobs of several jobs) is ONE
 *       arrival, admitted all at once because EE2 queues every child at once and cannot be paced:
 *       refused when k > C_0 (it could never fit: split it); its parents need P(u) + j - 1 < C_(d_j)
 *       for each (for a run_job_batch, all at depth 0: P(u) + k <= C_0); when it has children it
 *       needs A(u) < S + children.maxQueued, as one child would (not A(u) + k + m: a large batch
 *       would otherwise always wait the whole children.maxWait). A batch never waits past
 *       children.maxWait when it has children: then its children are aged in and only its parents'
 *       cap still counts; if that cap does not allow its parents, it is refused, never admitted
 *       over the cap. A batch takes no parent slot for its container, so it cannot deadlock.
 * </ul>
 * {@link #demand} encodes these inequalities in a {@link SlotDemand} that the ledger checks
 * atomically; {@link #decide} admits exactly when {@code demand.fits(counts)}, so a concurrent
 * replica can never make the two disagree: a refused ledger take means "decide again".
 */
public final class Admission {
    /** Retry-After for a parallel app refused at the cap: about how soon a parent could finish. */
    static final Duration RETRY_PARENT = Duration.ofMinutes(1);
    /** How often a nested app waiting for its cap is decided again (each release retries it sooner). */
    static final Duration RECHECK_SENT_BY_APP = Duration.ofMinutes(1);

    private Admission() {}

    /**
     * The decision for a call, given the user's counts and how long it has already been held
     * ({@link Duration#ZERO} on arrival).
     */
    public static Decision decide(EffectivePolicy policy, UserCounts counts, Classification call, Duration waited) {
        Decision enforced = enforce(policy, counts, call, waited);
        if (enforced instanceof Hold h && h.demand().marksOwnCallMs() > 0) {
            // A waiting call is retried with this demand at every release: its arrival kept the
            // reserve already, and a call that waits (a parallel app at its cap) is not the user
            // coming back, so its retries mark nothing.
            enforced = new Hold(h.demand().withoutMark(), h.reason(), h.atMost(), h.then());
        }
        if (policy.mode() == Mode.SHADOW && !(enforced instanceof Admit)) {
            return new Admit(demand(policy, call, waited).unlimited(), enforced.reason(), Optional.of(enforced));
        }
        return enforced;
    }

    /**
     * What the call asks of the ledger: its claims, the two limits and its children's bounds
     * ({@link Classification#childBounds()}: the ledger checks those first, and beyond one the call
     * is decided again as {@link Classification#beyondBound()}), independent of the counts.
     * {@code decide(...)} is an {@link Admit} of this demand iff {@code demand.fits(counts)}
     * (apart from refusals that no count can change, and shadow mode).
     */
    public static SlotDemand demand(EffectivePolicy policy, Classification call, Duration waited) {
        return demand(policy.limits(), Shape.of(call), call, waited);
    }

    private static SlotDemand demand(Limits l, Shape s, Classification call, Duration waited) {
        int parentLimit = s.parentDepths.isEmpty() ? SlotDemand.UNLIMITED
                : parentLimit(l, s.parentDepths);
        int jobLimit = claimsLimit(s.jobLimit(l), s, l, call, waited);
        int lentJobLimit = claimsLimit(s.lentJobLimit(l), s, l, call, waited);
        // A user's own call keeps the reserve for reserveFor from its arrival (waited zero: the
        // decision after a wait is no new call); nothing a running app sends does (a child, a
        // nested app): that is not the scientist at work.
        long marks = !waited.isZero() || s.lowPriority || call.fromParallelApp() || l.reserveNeverLent() ? 0
                : l.childrenReserveFor().toMillis();
        return new SlotDemand(call.claims(), parentLimit, jobLimit, call.childBounds(), lentJobLimit, marks);
    }

    /** The A(u) bound {@code limit} for one claim, as the bound for all of the call's claims taken at once. */
    private static int claimsLimit(int limit, Shape s, Limits l, Classification call, Duration waited) {
        return limit == SlotDemand.UNLIMITED || s.aged(l, waited) ? SlotDemand.UNLIMITED
                : (int) Math.min(SlotDemand.UNLIMITED, (long) limit - 1 + call.claims().size());
    }

    private static Decision enforce(EffectivePolicy policy, UserCounts counts, Classification call, Duration waited) {
        Limits l = policy.limits();
        Who who = new Who(call.ledgerUser(), policy.limitsSource());
        JobClass c = call.jobClass();
        if (c instanceof Exempt e) {
            return new Admit(new SlotDemand(List.of(), SlotDemand.UNLIMITED, SlotDemand.UNLIMITED),
                    new Reason.Exempted(who, e.why()), Optional.empty());
        }
        Shape s = Shape.of(call);
        if (c instanceof Batch b && b.parents() > l.parentsMaxPerUser()) {
            return new Refuse(new Reason.BatchTooBig(who, b.parents(), l.parentsMaxPerUser(), b.parentsByApp(), b.retry()),
                    Optional.empty());
        }
        int deepest = s.parentDepths.isEmpty() ? -1 : Collections.max(s.parentDepths);
        if (deepest > l.parentsMaxNestingDepth() && !call.fromParallelApp()) {
            return new Refuse(new Reason.TooDeep(who, s.deepestApp, deepest, l.parentsMaxNestingDepth()), Optional.empty());
        }
        SlotDemand demand = demand(l, s, call, waited);
        if (demand.fits(counts)) {
            Reason why;
            if (!s.aged(l, waited) || (long) counts.jobs() < s.jobLimit(l, counts)) {
                why = new Reason.WithinLimits(who, s.job, numbers(l, counts, s, demand));
            } else if (s.lowPriority) {
                why = new Reason.Aged(who, s.job, waited, counts.jobs(), s.jobLimit(l, counts), l.childrenMaxWait());
            } else {
                why = new Reason.ForwardedAfterWait(who, s.job, waited, counts.jobs(), l.ownJobLimit(), l.ownJobsMaxWait());
            }
            return new Admit(demand, why, Optional.empty());
        }
        if ((long) counts.parents() + s.parentDepths.size() > demand.parentLimit()) {
            return call.fromParallelApp() ? sentByAppOverParentCap(l, who, counts, s, demand)
                    : overParentCap(l, who, counts, s, demand, waited);
        }
        Duration left = s.maxWait(l).minus(waited);
        // Only the job limit is in the way, and it lifts at the class's maxWait: aging admits it then.
        Reason why = s.lowPriority
                ? new Reason.QueueFull(who, s.job, counts.jobs(), s.jobLimit(l, counts), left, reserveState(l, counts))
                : new Reason.WaitingForSlot(who, s.job, counts.jobs(), l.ownJobLimit(), left);
        Duration atMost = left;
        if (s.lowPriority && reserveState(l, counts) == Reason.ReserveState.KEPT
                && counts.reserveKept().compareTo(left) < 0) {
            // The reserve is lent once the user's own last call is older than reserveFor, a moment
            // no release announces: the child is decided again then (a hold that ends early is).
            atMost = counts.reserveKept();
        }
        return new Hold(demand, why, atMost, Then.ADMIT);
    }

    /**
     * A parallel app sent by a running one (nested) never gets a refusal, which would fail its
     * sender, nor an admission over its cap: it waits for a parent to finish, decided again at
     * every release (and at least every {@link #RECHECK_SENT_BY_APP}).
     */
    private static Decision sentByAppOverParentCap(Limits l, Who who, UserCounts counts, Shape s, SlotDemand demand) {
        return new Hold(demand, parentsFull(l, who, counts, s, Outcome.WAIT_FOR_CAP, RECHECK_SENT_BY_APP),
                RECHECK_SENT_BY_APP, Then.WAIT);
    }

    private static Reason.ParentsFull parentsFull(Limits l, Who who, UserCounts counts, Shape s, Outcome outcome,
            Duration time) {
        int depth = Math.min(s.parentDepths.get(0), l.parentsMaxNestingDepth());
        return new Reason.ParentsFull(who, s.job, 1, depth, counts.parents(), l.parentCap(depth), counts.parentsByApp(),
                outcome, time);
    }

    /** Parallel apps never go over their cap: hold up to the wait, then refuse (or refuse at once). */
    private static Decision overParentCap(Limits l, Who who, UserCounts counts, Shape s, SlotDemand demand,
            Duration waited) {
        int k = s.parentDepths.size();
        int depth = k == 1 ? s.parentDepths.get(0) : 0;
        int cap = k == 1 ? l.parentCap(depth) : demand.parentLimit();
        Map<String, Integer> byApp = counts.parentsByApp();
        if (l.parentsWhenFull() == WhenFull.REFUSE) {
            return new Refuse(new Reason.ParentsFull(who, s.job, k, depth, counts.parents(), cap, byApp,
                    Outcome.REFUSED_AT_ONCE, Duration.ZERO), Optional.of(RETRY_PARENT));
        }
        // A batch with children never waits past children.maxWait, even for its parallel apps.
        Duration limit = s.lowPriority ? min(l.parentsMaxWait(), l.childrenMaxWait()) : l.parentsMaxWait();
        if (waited.compareTo(limit) >= 0) {
            return new Refuse(new Reason.ParentsFull(who, s.job, k, depth, counts.parents(), cap, byApp,
                    Outcome.REFUSED_AFTER_WAIT, waited), Optional.of(RETRY_PARENT));
        }
        Duration left = limit.minus(waited);
        return new Hold(demand, new Reason.ParentsFull(who, s.job, k, depth, counts.parents(), cap, byApp,
                Outcome.HOLD, left), left, Then.REFUSE);
    }

    /**
     * The single parent limit L for k parents with caps c_1 <= ... <= c_k taken at once: each j-th
     * must see P(u) + j - 1 < c_j, i.e. P(u) + k <= min_j(c_j - j) + k.
     */
    static int parentLimit(Limits l, List<Integer> depths) {
        List<Integer> caps = new ArrayList<>();
        for (int d : depths) {
            // Deeper than maxNestingDepth only for a call sent by a running parallel app, which is
            // never refused: it waits on the deepest cap (every cap stays within slots - 1).
            caps.add(l.parentCap(Math.min(d, l.parentsMaxNestingDepth())));
        }
        Collections.sort(caps);
        long least = Long.MAX_VALUE;
        for (int j = 0; j < caps.size(); j++) {
            least = Math.min(least, (long) caps.get(j) - (j + 1));
        }
        return (int) (least + caps.size());
    }

    /** Whether a child's job limit keeps the reserve now ({@code children.reserveFor}). */
    static Reason.ReserveState reserveState(Limits l, UserCounts counts) {
        if (l.reserveNeverLent()) {
            return Reason.ReserveState.ALWAYS_KEPT;
        }
        return counts.ownCallRecent() ? Reason.ReserveState.KEPT : Reason.ReserveState.LENT;
    }

    private static String numbers(Limits l, UserCounts counts, Shape s, SlotDemand d) {
        List<String> parts = new ArrayList<>();
        int k = s.parentDepths.size();
        if (k == 1) {
            int depth = s.parentDepths.get(0);
            parts.add("P(u)=" + counts.parents() + " < C_" + depth + "=" + l.parentCap(depth));
        } else if (k > 1) {
            parts.add("P(u)=" + counts.parents() + " + k=" + k + " <= " + d.parentLimit());
        }
        if (d.jobLimit() != SlotDemand.UNLIMITED) {
            parts.add(s.lowPriority ? "A(u)=" + counts.jobs() + " < " + switch (reserveState(l, counts)) {
                case ALWAYS_KEPT -> "slots - children.reserve + children.maxQueued = " + l.childJobLimit();
                case KEPT -> "slots - children.reserve + children.maxQueued = " + l.childJobLimit()
                        + " (reserve kept: an own call within children.reserveFor)";
                case LENT -> "slots + children.maxQueued = " + l.lentChildJobLimit()
                        + " (reserve lent: no own call within children.reserveFor)";
            }
                    : "A(u)=" + counts.jobs() + " < slots + ownJobs.maxQueued = " + l.ownJobLimit());
        }
        if (parts.isEmpty()) {
            parts.add("the user's own jobs never wait for a slot under these limits");
        }
        return String.join(", ", parts);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The facts about a call the rules need, read once from its class. */
    private record Shape(List<Integer> parentDepths, boolean lowPriority, String job, String deepestApp) {
        /** A call that has waited its class's maxWait is admitted regardless of A(u). */
        boolean aged(Limits l, Duration waited) {
            return waited.compareTo(maxWait(l)) >= 0;
        }

        /** children.maxWait for a low-priority call, ownJobs.maxWait for the user's own. */
        Duration maxWait(Limits l) {
            return lowPriority ? l.childrenMaxWait() : l.ownJobsMaxWait();
        }

        /** The A(u) bound of the call's class: the children's (reserve kept), or the user's own jobs'. */
        int jobLimit(Limits l) {
            return lowPriority ? l.childJobLimit() : l.ownJobLimit();
        }

        /** As {@link #jobLimit(Limits)} while the user is away: the children's with the reserve lent. */
        int lentJobLimit(Limits l) {
            return lowPriority && !l.reserveNeverLent() ? l.lentChildJobLimit() : jobLimit(l);
        }

        /** The A(u) bound that applies on top of {@code counts}. */
        int jobLimit(Limits l, UserCounts counts) {
            return counts.ownCallRecent() ? jobLimit(l) : lentJobLimit(l);
        }


        static Shape of(Classification call) {
            JobClass c = call.jobClass();
            List<Integer> depths = new ArrayList<>();
            String deepestApp = null;
            int deepest = -1;
            for (SlotClaim claim : call.claims()) {
                if (claim.parent()) {
                    depths.add(claim.depth());
                    if (claim.depth() > deepest) {
                        deepest = claim.depth();
                        deepestApp = claim.app();
                    }
                }
            }
            boolean low = c instanceof Child || c instanceof Batch b && b.hasChildren();
            String job;
            if (c instanceof Batch b) {
                job = b.retry() ? "retry of " + b.members().size() + " jobs" : "batch";
            } else if (c instanceof Parent p) {
                job = p.app() + " job";
            } else if (c instanceof Child ch) {
                job = ch.app() + " job";
            } else if (c instanceof JobClass.Plain p) {
                job = p.app() + " job";
            } else {
                job = "job";
            }
            return new Shape(List.copyOf(depths), low, job, deepestApp);
        }
    }
}
