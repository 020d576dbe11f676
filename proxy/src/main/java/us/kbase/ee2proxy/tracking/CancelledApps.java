package us.kbase.ee2proxy.tracking;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.hold.HeldCall;
import us.kbase.ee2proxy.hold.HoldQueues;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.ledger.TrackedJob;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.status.ActionLog;
import us.kbase.ee2proxy.status.LiveState;

/**
 * Parallel apps as units (issue 12 item 4): when EE2 accepted a cancel of a user's job from its
 * owner or an EE2 admin ({@link JobTracker#onAppCancelled}), that job's children waiting at the
 * proxy are answered at once ("not submitted: its parallel app ... was cancelled"), taking
 * nothing; with {@code admission.cancelChildrenWithParent} its children already at EE2 are
 * cancelled too, with the service token and {@code as_admin} (EE2 does not do it for KBParallel's
 * children, which it does not know as children). Every answer and cancel is audited.
 *
 * <p>Which calls are the app's children: those that named it in {@code parent_job_id} (answered
 * at once, before the cancel's release can wake the queue), and those the classifier attributed to
 * it (KBParallel's shape, or a nested app) only when the ledger shows the user runs no other
 * parallel app: an attribution among several apps is a guess, and answering another app's child
 * with an error fails that whole app. A child left waiting that way is harmless: the cancelled
 * app's runner dies, its connection closes, and the proxy drops the call. At EE2 likewise: the
 * ledger's children of the app (named), and attributed ones only when the user ran no other app
 * and this replica admitted them as this app's (so a cancel of any other job never touches them).
 */
public final class CancelledApps implements AppCancelled {
    private static final Logger LOG = LoggerFactory.getLogger(CancelledApps.class);
    /** Who acted, in the audit log. */
    static final String PROXY = "ee2-admission-proxy";

    private final HoldQueues holds;
    private final SlotLedger ledger;
    private final LiveState live;
    private final ActionLog actions;
    /** Null unless children at EE2 are cancelled too. */
    private final Ee2Client ee2;
    private final String serviceToken;
    private final Counter answered;
    private final Counter cancelledAtEe2;
    private final Counter cancelFailures;

    /**
     * @param ee2 with {@code serviceToken} (a token with EE2_ADMIN): cancels the app's children at
     *     EE2; null: they are left to run
     */
    public CancelledApps(HoldQueues holds, SlotLedger ledger, LiveState live, ActionLog actions, Ee2Client ee2,
            String serviceToken, MetricRegistry metrics) {
        this.holds = holds;
        this.ledger = ledger;
        this.live = live;
        this.actions = actions;
        this.ee2 = serviceToken == null ? null : ee2;
        this.serviceToken = serviceToken;
        this.answered = metrics.counter("ee2proxy.parallel.cancelled_app.children_answered");
        this.cancelledAtEe2 = metrics.counter("ee2proxy.parallel.cancelled_app.children_cancelled_at_ee2");
        this.cancelFailures = metrics.counter("ee2proxy.parallel.cancelled_app.cancel_failures");
    }

    /** What a cancelled app's waiting child is answered (EE2's error shape adds that it was not submitted). */
    public static String message(String jobId) {
        return "not submitted: its parallel app " + jobId + " was cancelled.";
    }

    /** Whether children at EE2 are cancelled with their app. */
    public boolean cancelsAtEe2() {
        return ee2 != null;
    }

    @Override
    public void cancelled(String owner, String jobId) {
        live.appCancelled(owner, jobId, 0, 0, ee2 != null);
        // Named children first, on the queues' thread before the cancel's release wakes the queue.
        answer(owner, jobId, c -> named(c.classification(), jobId));
        ledger.trackedJobs(owner).handle((jobs, error) -> error == null ? jobs : null).thenAccept(jobs -> {
            boolean alone = jobs != null && jobs.stream().noneMatch(j -> j.claim().parent() && !j.jobId().equals(jobId));
            if (alone) {
                answer(owner, jobId, c -> attributed(c.classification(), jobId));
            }
            if (ee2 != null) {
                cancelAtEe2(owner, jobId, jobs, alone);
            }
        });
    }

    private void answer(String owner, String jobId, Predicate<HeldCall> which) {
        holds.refuseWhere(owner, which, message(jobId)).thenAccept(ended -> {
            if (ended.isEmpty()) {
                return;
            }
            answered.inc(ended.size());
            for (HeldCall c : ended) {
                actions.acted(PROXY, "answer_child_of_cancelled_app", owner, c.ticket(),
                        "its parallel app " + jobId + " was cancelled", true);
            }
            live.appCancelled(owner, jobId, ended.size(), 0, ee2 != null);
            LOG.info("parallel app {} of {} was cancelled: {} of its children waiting at the proxy were answered",
                    jobId, owner, ended.size());
        });
    }

    private void cancelAtEe2(String owner, String jobId, List<TrackedJob> jobs, boolean alone) {
        if (jobs == null) {
            LOG.warn("parallel app {} of {} was cancelled, but the ledger could not list its children: those at EE2"
                    + " are left to run (the reconciler frees their slots when they end)", jobId, owner);
            return;
        }
        // An attributed child is cancelled only when this replica attributed it to this very app
        // (which proves the job was a parallel app) and the user ran no other app.
        Set<String> attributedHere = alone ? live.childrenOf(owner, jobId) : Set.of();
        List<String> children = new ArrayList<>();
        for (TrackedJob j : jobs) {
            String of = j.claim().childOf();
            if (jobId.equals(of) || (ChildBound.ATTRIBUTED.equals(of) && attributedHere.contains(j.jobId()))) {
                children.add(j.jobId());
            }
        }
        if (children.isEmpty()) {
            return;
        }
        AtomicInteger done = new AtomicInteger();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String child : children) {
            all.add(ee2.cancelJob(serviceToken, child, true).handle((ok, error) -> {
                boolean cancelled = error == null;
                actions.acted(PROXY, "cancel_child_of_cancelled_app", owner, child,
                        "its parallel app " + jobId + " was cancelled" + (cancelled ? "" : "; EE2: " + error), cancelled);
                if (cancelled) {
                    done.incrementAndGet();
                    cancelledAtEe2.inc();
                    live.progress(child, "cancelled"); // before its release, which would count it ended unseen
                    ledger.releaseJob(owner, child); // EE2 said so: its slot is free
                } else {
                    cancelFailures.inc();
                    LOG.warn("could not cancel job {}, child of the cancelled parallel app {} of {}: {}", child, jobId,
                            owner, error.toString());
                }
                return null;
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((x, e) -> {
            live.appCancelled(owner, jobId, 0, done.get(), true);
            LOG.info("parallel app {} of {} was cancelled: {} of its {} children at EE2 cancelled", jobId, owner,
                    done.get(), children.size());
        });
    }

    /** A call that named the app in {@code parent_job_id}: every claim is its child (or it names it without a bound). */
    static boolean named(Classification c, String jobId) {
        List<JobClass> members = c.jobClass() instanceof JobClass.Batch b ? b.members() : List.of(c.jobClass());
        if (members.isEmpty() || !members.stream().allMatch(m -> m instanceof JobClass.Child ch && jobId.equals(ch.parentJobId()))) {
            return false;
        }
        return c.claims().stream().noneMatch(claim -> ChildBound.ATTRIBUTED.equals(claim.childOf()));
    }

    /** A call the classifier attributed to the app: a child in KBParallel's shape, or a nested app it started. */
    static boolean attributed(Classification c, String jobId) {
        if (c.jobClass() instanceof JobClass.Parent p) {
            return jobId.equals(p.parentJobId());
        }
        return c.jobClass() instanceof JobClass.Child ch && jobId.equals(ch.parentJobId())
                && c.claims().stream().map(SlotClaim::childOf).anyMatch(ChildBound.ATTRIBUTED::equals);
    }
}
