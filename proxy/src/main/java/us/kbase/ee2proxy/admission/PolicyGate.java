package us.kbase.ee2proxy.admission;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.hold.HeldCall;
import us.kbase.ee2proxy.hold.HoldEnd;
import us.kbase.ee2proxy.hold.HoldQueues;
import us.kbase.ee2proxy.hold.Place;
import us.kbase.ee2proxy.identity.Auth2Identity;
import us.kbase.ee2proxy.identity.IdentityException;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.policy.decide.Admission;
import us.kbase.ee2proxy.policy.decide.Decision;
import us.kbase.ee2proxy.policy.decide.Reason;
import us.kbase.ee2proxy.status.JobClassWords;
import us.kbase.ee2proxy.status.LiveState;
import us.kbase.ee2proxy.status.StatusLink;
import us.kbase.ee2proxy.status.WaitingCall;

/**
 * The admission gate: applies the policy to every job-creating call (DESIGN.md, "The way a
 * request travels") and hands every other call to job tracking.
 *
 * <p>A job-creating call is forwarded untouched, taking nothing, when it carries no token or one
 * auth2 refuses (EE2 then answers its own authentication error and creates nothing), or when it
 * bills another user without the caller being an EE2 admin (EE2 refuses that too). Otherwise it is
 * classified and decided: an {@link Decision.Admit} takes its demand from the ledger in one atomic
 * step under the call's ticket and forwards the call with a {@link LeaseObserver}; when the ledger
 * finds the demand no longer fits (another replica got there first) the policy decides again on
 * the counts the ledger returned. A {@link Decision.Hold} waits in {@link HoldQueues}; when its
 * time is up the policy decides again with the whole time waited. A {@link Decision.Refuse} is
 * answered with the reason's message and {@code Retry-After}. Once the proxy drains
 * ({@link #stopHolding()}), a call held or to be held is answered "not submitted, submit it again"
 * instead. In {@code mode: shadow} the policy itself admits everything and says what enforce
 * would have done; that is counted and logged.
 *
 * <p>The first decision is taken on zero counts, which admits anything a count could ever admit
 * (and refuses only what no count can change): the ledger's atomic take then either succeeds
 * (the common case: one ledger call per job) or returns the counts to decide on.
 */
public final class PolicyGate implements AdmissionGate {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyGate.class);
    /** auth2's custom role of EE2's full administrators, the only callers EE2 lets bill another user. */
    static final String EE2_ADMIN = "EE2_ADMIN";
    /** What a job-creating call's reply says of its decision (APF's X-Kubernetes-PF-* headers), never its body. */
    public static final String DECISION_HEADER = "X-Ee2-Proxy-Decision";
    /**
     * How long a call classified while a parent lookup failed is held before it is classified again
     * (the lookup may answer by then: Redis back, or the parent known).
     */
    static final Duration RECLASSIFY_EVERY = Duration.ofSeconds(2);

    private final Supplier<AdmissionPolicy> policy;
    private final Auth2Identity identity;
    private final SlotLedger ledger;
    private final HoldQueues holds;
    private final CallClassifier classifier;
    private final AdmissionGate tracking;
    private final AdmissionMetrics metrics;
    private final Tickets tickets = new Tickets();
    private final LiveState live;
    private final StatusLink link;

    /**
     * @param tracking decides on every call that creates no job (job tracking's observers)
     */
    public PolicyGate(Supplier<AdmissionPolicy> policy, Auth2Identity identity, SlotLedger ledger, HoldQueues holds,
            RetriedJobs retriedJobs, AdmissionGate tracking, AdmissionMetrics metrics, LiveState live, StatusLink link) {
        this.policy = policy;
        this.identity = identity;
        this.ledger = ledger;
        this.holds = holds;
        this.classifier = new CallClassifier(ledger, retriedJobs);
        this.tracking = tracking;
        this.metrics = metrics;
        this.live = live;
        this.link = link;
        metrics.heldNow(holds::held);
    }

    @Override
    public CompletionStage<Verdict> decide(SniffResult.Call call, Caller caller) {
        if (!call.method().createsJobs()) {
            return tracking.decide(call, caller);
        }
        String token = caller.authorization();
        if (call.creation() == null || token == null || token.isBlank()) {
            return Verdict.FORWARD_NOW; // EE2 refuses it and creates nothing
        }
        long arrived = System.nanoTime();
        Pending pending = new Pending();
        identity.user(token)
                .thenCompose(user -> {
                    Supplier<CompletionStage<CallClassifier.Classified>> classify =
                            () -> classifier.classify(policy.get(), call.creation(), token, user);
                    return classify.get().thenCompose(c -> admitIfAllowed(new Submission(call, user,
                            c.classification(), c.provisional() ? classify : null, tickets.next(), arrived), token,
                            pending));
                })
                .whenComplete((verdict, error) -> {
                    if (error == null) {
                        pending.deliver(verdict);
                    } else {
                        pending.fail(error);
                    }
                });
        return pending.verdict;
    }

    private CompletionStage<Verdict> admitIfAllowed(Submission s, String token, Pending pending) {
        Classification c = s.classification();
        if (c.exempt()) {
            metrics.admitted(c.jobClass());
            return done(Verdict.FORWARD);
        }
        if (s.ledgerUser().equals(s.tokenUser())) {
            return admit(s, pending, Duration.ZERO);
        }
        // bill_to_user: only an EE2 admin's call may take another user's slots.
        return identity.customRoles(token).thenCompose(roles -> roles.contains(EE2_ADMIN)
                ? admit(s, pending, Duration.ZERO)
                : done(Verdict.FORWARD));
    }

    /** Decides (again) after {@code waited}, starting on zero counts (see the class comment). */
    private CompletionStage<Verdict> admit(Submission s, Pending pending, Duration waited) {
        EffectivePolicy p = policy.get().forUser(s.ledgerUser());
        return act(s, pending, p, Admission.decide(p, UserCounts.ZERO,
                s.classification(), waited), waited);
    }

    private CompletionStage<Verdict> act(Submission s, Pending pending, EffectivePolicy p, Decision d, Duration waited) {
        if (d instanceof Decision.Admit admit) {
            long start = System.nanoTime();
            return ledger.tryAcquire(s.ledgerUser(), s.ticket(), admit.demand()).thenCompose(taken -> {
                metrics.ledgerTook(System.nanoTime() - start);
                live.counts(s.ledgerUser(), taken.counts());
                return switch (taken.verdict()) {
                    case ADMITTED -> done(admitted(s, admit, waited));
                    case FULL -> act(s, pending, p, Admission.decide(p, taken.counts(),
                            s.classification(), waited), waited);
                    case CHILDREN_BOUND -> beyondBound(s, pending, waited);
                    case LEDGER_UNAVAILABLE -> {
                        metrics.ledgerUnavailable();
                        yield ledgerCannotDecide(s, pending, p, admit, waited);
                    }
                };
            });
        }
        if (d instanceof Decision.Hold hold) {
            return hold(s, pending, hold);
        }
        Decision.Refuse refuse = (Decision.Refuse) d;
        metrics.refused(s.classification().jobClass());
        if (!waited.isZero()) {
            metrics.holdEnded(waited);
        }
        LOG.debug("refused {} of {}: {}", s.ticket(), s.ledgerUser(), refuse.reason().adminMessage());
        return done(answer(s, AdmissionReplies.refused(refuse)));
    }

    /**
     * The ledger found the call's parent with {@code children.perParent} unfinished children already
     * (issue 16 item 8): the real KBParallel never keeps more outstanding, so this call is not its
     * child. It is decided again as what it is without a parent (a listed parallel app then counts
     * against the cap and waits, or is refused, like any new one), with the time it has waited.
     */
    private CompletionStage<Verdict> beyondBound(Submission s, Pending pending, Duration waited) {
        Submission beyond = s.beyondBound();
        metrics.beyondChildBound();
        LOG.info("{} of {}: its parent has children.perParent unfinished children already, so it is no child: {}",
                s.ticket(), s.ledgerUser(), beyond.classification().jobClass().describe());
        return admit(beyond, pending, waited);
    }

    /**
     * The ledger cannot decide now (Redis failed, is owed writes, or is being rebuilt). With
     * {@code redis.onFailure: refuse} the call is answered now; otherwise it waits for the ledger
     * (held, and taken as soon as Redis decides again), at most its class's maxWait in all, and
     * is then answered "not submitted". Nothing is decided without the ledger.
     */
    private CompletionStage<Verdict> ledgerCannotDecide(Submission s, Pending pending, EffectivePolicy p,
            Decision.Admit admit, Duration waited) {
        if (policy.get().redisFailureMode() == RedisFailureMode.REFUSE) {
            return done(answer(s, AdmissionReplies.ledgerUnavailable()));
        }
        Duration maxWait = s.classification().jobClass() instanceof JobClass.Parent
                ? p.limits().parentsMaxWait() : p.limits().childrenMaxWait();
        Duration left = maxWait.minus(waited);
        if (left.isNegative() || left.isZero()) {
            metrics.holdEnded(waited);
            return done(answer(s, AdmissionReplies.ledgerStillUnavailable(waited)));
        }
        Reason reason = new Reason.LedgerUnavailable(new Reason.Who(s.ledgerUser(), p.limitsSource()),
                s.classification().jobClass().getClass().getSimpleName().toLowerCase() + " job", maxWait);
        return hold(s, pending, new Decision.Hold(admit.demand(), reason, left, Decision.Then.REFUSE));
    }

    private Verdict admitted(Submission s, Decision.Admit admit, Duration waited) {
        metrics.admitted(s.classification().jobClass());
        if (!waited.isZero()) {
            metrics.holdEnded(waited);
        }
        admit.shadowOf().ifPresent(wouldHave -> {
            metrics.shadow(s.classification().jobClass(), wouldHave);
            LOG.debug("shadow: {} of {} admitted; enforce would have: {}", s.ticket(), s.ledgerUser(),
                    wouldHave.reason().adminMessage());
        });
        String outcome = waited.isZero() ? "admitted" : "admitted after waiting " + waited.toSeconds() + " s";
        live.decided(s.ledgerUser(), s.ticket(), outcome, s.classification().jobClass(), admit.reason().userMessage());
        // In shadow mode the header also says what enforce would have done: an operator trying the
        // policy sees it per call, the scientist's body stays EE2's.
        String shadow = admit.shadowOf().map(d -> "; enforce=" + (d instanceof Decision.Hold ? "wait" : "refuse")).orElse("");
        return Verdict.forward(new LeaseObserver(s, ledger, metrics, live,
                outcome + "; class=" + JobClassWords.token(s.classification().jobClass()) + shadow));
    }

    /**
     * The proxy's answer to {@code s} instead of EE2's: its text ends with where to look, a header
     * names the decision, and the user's recent decisions show it.
     */
    private Verdict answer(Submission s, Ee2ErrorReply reply) {
        JobClass c = s.classification().jobClass();
        live.decided(s.ledgerUser(), s.ticket(), "refused", c, reply.message());
        return Verdict.answer(reply.withMessage(link.append(reply.message()))
                .withHeader(DECISION_HEADER, "refused; class=" + JobClassWords.token(c)));
    }

    private CompletionStage<Verdict> hold(Submission s, Pending pending, Decision.Hold hold) {
        if (holds.stopping()) {
            return cannotWait(s, pending, hold, AdmissionReplies.stopping()); // a draining proxy holds nothing
        }
        Duration atMost = s.provisional() && hold.atMost().compareTo(RECLASSIFY_EVERY) > 0 ? RECLASSIFY_EVERY
                : hold.atMost();
        Place place = holds.hold(s.ledgerUser(), s.ticket(), s.classification(), hold.demand(), atMost);
        if (place instanceof Place.Full full) {
            if (hold.reason() instanceof Reason.LedgerUnavailable) {
                // No room to wait for the ledger either: nothing can decide this call now.
                return done(answer(s, full.bound() == Place.Bound.ALL_USERS
                        ? AdmissionReplies.holdCapReached(full.max()) : AdmissionReplies.userHoldCapReached(full.max())));
            }
            return noRoom(s, pending, hold, full);
        }
        HeldCall held = ((Place.Waiting) place).call();
        metrics.held(s.classification().jobClass());
        LOG.debug("holding {} of {} up to {}: {}", s.ticket(), s.ledgerUser(), hold.atMost(),
                hold.reason().adminMessage());
        pending.holding(held);
        WaitingCall waiting = waitingCall(s, held, hold);
        live.waiting(waiting);
        live.decided(s.ledgerUser(), s.ticket(), "waiting", s.classification().jobClass(), waiting.reason());
        held.end().whenComplete((end, error) -> live.stoppedWaiting(waiting));
        return held.end().thenCompose(end -> {
            if (end == HoldEnd.REFUSED) {
                metrics.holdEnded(s.waited());
                return done(answer(s, AdmissionReplies.refusedWhileWaiting(held.refusal())));
            }
            if (end == HoldEnd.ADMITTED) {
                return done(admitted(s, new Decision.Admit(hold.demand(), hold.reason(), Optional.empty()), s.waited()));
            }
            if (end == HoldEnd.STOPPED) {
                metrics.holdEnded(s.waited());
                return cannotWait(s, pending, hold, AdmissionReplies.stopping());
            }
            if (s.provisional()) {
                // Same ticket: a take that landed as the hold ended is admitted again, not taken twice.
                return s.classifyAgain().get().thenCompose(c -> admit(s.reclassified(c), pending, s.waited()));
            }
            return admit(s, pending, s.waited());
        });
    }

    /** The status pages' entry for a call that starts waiting now. */
    private WaitingCall waitingCall(Submission s, HeldCall held, Decision.Hold hold) {
        JobClass c = s.classification().jobClass();
        Duration waited = s.waited();
        String atEnd = switch (hold.then()) {
            case ADMIT -> hold.reason() instanceof Reason.WaitingForSlot
                    ? "it is submitted to EE2 anyway, where it may queue behind your other jobs: a job never fails for"
                            + " waiting for a slot"
                    : "it is submitted to EE2 anyway: a job started by another job never fails for waiting";
            case REFUSE -> "it is not submitted, and the app gets a message saying so";
            case WAIT -> "it goes on waiting until one of your parallel apps finishes; it is never refused";
        };
        return new WaitingCall(s.ticket(), held, JobClassWords.kind(c), JobClassWords.app(c), JobClassWords.parentOf(c),
                link.append(hold.reason().userMessage()), hold.reason().adminMessage(), waited.plus(hold.atMost()), atEnd,
                Instant.now().minus(waited));
    }

    /**
     * No room to wait. A child is admitted now, as its wait's end would admit it (aging): refused,
     * it would fail its whole parallel app, and admitting it early costs only its own user's
     * slots, as a plain job does. Anything else is answered with the bound that is full.
     */
    private CompletionStage<Verdict> noRoom(Submission s, Pending pending, Decision.Hold hold, Place.Full full) {
        if (s.classification().jobClass() instanceof JobClass.Child) {
            metrics.childAdmittedWithoutRoom();
            LOG.info("no room for {} of {} to wait ({} of {} reached): the child is admitted now rather than refused",
                    s.ticket(), s.ledgerUser(), full.max(), full.bound() == Place.Bound.ALL_USERS ? "admission.maxHeld"
                            : "admission.maxHeldPerUser");
            EffectivePolicy p = policy.get().forUser(s.ledgerUser());
            return act(s, pending, p, new Decision.Admit(hold.demand().unlimited(), hold.reason(), Optional.empty()),
                    Duration.ZERO);
        }
        if (waitsOnlyForSlot(hold)) {
            LOG.info("no room for {} of {} to wait for a slot: forwarded now, as its wait's end would", s.ticket(),
                    s.ledgerUser());
            return forwardNow(s, pending, hold, Duration.ZERO);
        }
        if (full.bound() == Place.Bound.ALL_USERS) {
            metrics.holdCapReached();
            return done(answer(s, AdmissionReplies.holdCapReached(full.max())));
        }
        metrics.userHoldCapReached();
        return done(answer(s, AdmissionReplies.userHoldCapReached(full.max())));
    }

    /**
     * A call that must wait while the proxy drains: answered with
     * {@code refusal}, except a child sent by a running parallel app, which KBParallel would turn
     * into a failure of the whole app: it is admitted at once, taking its slot beyond the children's
     * limit (a child finishes by itself). A nested parallel app still gets the refusal: admitting it
     * over its cap could fill every slot with parents.
     */
    private CompletionStage<Verdict> cannotWait(Submission s, Pending pending, Decision.Hold hold, Ee2ErrorReply refusal) {
        Classification c = s.classification();
        if (waitsOnlyForSlot(hold)) {
            return forwardNow(s, pending, hold, s.waited());
        }
        if (!c.fromParallelApp() || !(c.jobClass() instanceof JobClass.Child)) {
            return done(answer(s, refusal));
        }
        Decision.Admit anyway = new Decision.Admit(hold.demand().unlimited(), hold.reason(), Optional.empty());
        return act(s, pending, policy.get().forUser(s.ledgerUser()), anyway, s.waited());
    }

    /**
     * A user's own call that waits only for a free slot (ownJobs.maxQueued): its wait's end forwards
     * it, so a wait it cannot have (no room, a draining proxy) forwards it now rather than refusing
     * a job that would have been submitted. Its parallel-app cap still holds.
     */
    private static boolean waitsOnlyForSlot(Decision.Hold hold) {
        return hold.reason() instanceof Reason.WaitingForSlot && hold.then() == Decision.Then.ADMIT;
    }

    private CompletionStage<Verdict> forwardNow(Submission s, Pending pending, Decision.Hold hold, Duration waited) {
        Decision.Admit anyway = new Decision.Admit(hold.demand().withoutJobLimit(), hold.reason(), Optional.empty());
        return act(s, pending, policy.get().forUser(s.ledgerUser()), anyway, waited);
    }

    /** A draining proxy: every held call is answered now, and nothing is held from now on. */
    @Override
    public void stopHolding() {
        holds.stopHolding();
    }

    private static CompletionStage<Verdict> done(Verdict v) {
        return CompletableFuture.completedFuture(v);
    }

    /**
     * One call's verdict as the proxy sees it. The proxy cancels it when the client disconnects:
     * then the call's hold, if any, is dropped, and a Forward that still arrives gives its leases
     * back ({@link ReplyObserver#onNotForwarded()}) instead of reaching EE2.
     */
    private final class Pending {
        final CompletableFuture<Verdict> verdict = new CompletableFuture<>();
        private volatile HeldCall held;

        Pending() {
            verdict.whenComplete((v, e) -> {
                HeldCall h = held;
                if (verdict.isCancelled() && h != null) {
                    h.drop();
                }
            });
        }

        void holding(HeldCall call) {
            held = call;
            if (verdict.isCancelled()) {
                call.drop();
            }
        }

        /**
         * An error no step turned into a verdict: a token auth2 refuses (forwarded: EE2 answers its
         * own "Token validation failed"), auth2 unreachable (answered), or a bug (the proxy answers).
         */
        void fail(Throwable error) {
            if (verdict.isCancelled()) {
                return; // the client left (its hold was dropped): nobody waits for this verdict
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof IdentityException e && e.reason() == IdentityException.Reason.INVALID_TOKEN) {
                deliver(Verdict.FORWARD);
            } else if (cause instanceof IdentityException e) {
                metrics.authUnavailable();
                deliver(Verdict.answer(AdmissionReplies.authUnavailable(e.getMessage())));
            } else {
                LOG.warn("admission failed: {}", cause.toString());
                verdict.completeExceptionally(cause);
            }
        }

        void deliver(Verdict v) {
            if (!verdict.complete(v) && v instanceof Verdict.Forward f && f.observer() != null) {
                f.observer().onNotForwarded();
            }
        }
    }
}
