package us.kbase.ee2proxy.admission;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.ledger.TrackedJob;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.ActiveParent;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * Classifies a job-creating call once the facts the pure {@link Classifier} needs are fetched:
 * the retried jobs' params (from EE2, with the caller's token) and the claims of the
 * {@code parent_job_id}s it names, looked up in the ledger under the call's ledger user only. A
 * parent id of another user, a finished job or a made-up id therefore finds nothing and earns no
 * extra parent slot. Lookups that fail count as "nothing found": the call is classified the
 * stricter way (a parallel app at depth 0), and a parent lookup that failed (Redis down, the parent
 * unknown to this replica), or a parallel app whose {@code parent_job_id} names no known job (its
 * parent's lease perhaps not bound yet), marks the classification {@link Classified#provisional()}:
 * admission classifies such a call again while it is held, since a child taken for a parent would
 * wait on the parent cap its own parent holds. A {@code run_job} in KBParallel's shape also fetches
 * the user's running parallel apps, to which a child that names no parent is attributed.
 */
final class CallClassifier {

    /** A classification, and whether a parent lookup failed on the way to it. */
    record Classified(Classification classification, boolean provisional) {}

    private record Found<V>(Map<String, V> values, boolean failed) {}

    private final SlotLedger ledger;
    private final RetriedJobs retriedJobs;

    CallClassifier(SlotLedger ledger, RetriedJobs retriedJobs) {
        this.ledger = ledger;
        this.retriedJobs = retriedJobs;
    }

    CompletionStage<Classified> classify(AdmissionPolicy policy, JobCreation call, String token, String tokenUser) {
        return retries(call, token).thenCompose(retries -> {
            // The ledger user (token user, or bill_to_user) does not depend on the parents.
            Classification first = Classifier.classify(policy, call, tokenUser, ParentLookup.NONE, retries);
            Set<String> parentIds = Classifier.parentJobIds(call, retries);
            boolean needsActive = Classifier.needsActiveParents(call);
            if (first.exempt() || parentIds.isEmpty() && !needsActive) {
                return CompletableFuture.completedFuture(new Classified(first, false));
            }
            String ledgerUser = first.ledgerUser();
            CompletableFuture<Found<SlotClaim>> named = parents(ledgerUser, parentIds).toCompletableFuture();
            CompletableFuture<Found<ActiveParent>> active = needsActive
                    ? activeParents(ledgerUser).toCompletableFuture()
                    : CompletableFuture.completedFuture(new Found<>(Map.of(), false));
            return named.thenCombine(active, (found, apps) -> {
                List<ActiveParent> running = List.copyOf(apps.values.values());
                Classification c = Classifier.classify(policy, call, tokenUser,
                        ParentLookup.of(ledgerUser, found.values, running), retries);
                // A parallel app whose parent is not known (yet) may be the child of a parent whose
                // run_job EE2 has answered but whose lease this proxy has not bound: EE2 may start a
                // job before its reply is back here. Classified again while held, it finds the parent.
                // A KBParallel-shaped parallel app that found no running app may likewise be the
                // child of one this proxy has not bound or adopted yet.
                boolean parentUnknown = c.claims().stream().anyMatch(SlotClaim::parent)
                        && (!found.values.keySet().containsAll(parentIds) || needsActive && !c.fromParallelApp());
                return new Classified(c, found.failed || apps.failed || parentUnknown);
            });
        });
    }

    /**
     * The user's running parallel apps: the bound parent leases with their job ids and depths, and
     * one entry (no id, depth 0) for each parent lease still provisional, which only the counts show.
     */
    private CompletionStage<Found<ActiveParent>> activeParents(String ledgerUser) {
        return ledger.leases(ledgerUser).thenApply(leases -> {
            List<TrackedJob> jobs = leases.jobs();
            UserCounts c = leases.counts();
            Map<String, ActiveParent> active = new LinkedHashMap<>();
            Map<String, Integer> unbound = new HashMap<>(c.parentsByApp());
            for (TrackedJob job : jobs) {
                if (job.claim().parent()) {
                    active.put(job.jobId(), new ActiveParent(job.jobId(), job.claim()));
                    unbound.computeIfPresent(job.claim().app(), (app, n) -> n > 1 ? n - 1 : null);
                }
            }
            unbound.forEach((app, n) -> {
                for (int i = 0; i < n; i++) {
                    active.put("provisional " + app + " " + i, new ActiveParent(null, SlotClaim.parentAt(0, app)));
                }
            });
            return new Found<>(active, false);
        }).exceptionally(e -> new Found<>(Map.of(), true));
    }

    private CompletionStage<RetryLookup> retries(JobCreation call, String token) {
        List<String> ids = Classifier.retriedJobIds(call);
        if (ids.isEmpty()) {
            return CompletableFuture.completedFuture(RetryLookup.NONE);
        }
        boolean asAdmin = ((JobCreation.RetryJobs) call).asAdmin();
        Map<String, CompletableFuture<RetriedJob>> asked = new LinkedHashMap<>();
        for (String id : ids) {
            asked.put(id, retriedJobs.lookup(token, id, asAdmin).toCompletableFuture()
                    .exceptionally(e -> new RetriedJob.Unknown(String.valueOf(e))));
        }
        return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, RunJobParams> known = new HashMap<>();
            Set<String> unknown = new HashSet<>();
            asked.forEach((id, answer) -> {
                RetriedJob job = answer.join();
                if (job instanceof RetriedJob.Found f) {
                    known.put(id, f.params());
                } else if (job instanceof RetriedJob.Unknown) {
                    unknown.add(id); // it may be a parallel app: the strictest class
                }
            });
            return RetryLookup.of(known, unknown);
        });
    }

    private CompletionStage<Found<SlotClaim>> parents(String ledgerUser, Set<String> parentIds) {
        return found(List.copyOf(parentIds), id -> ledger.parentClaim(ledgerUser, id));
    }

    /** Asks about every id at once; an id whose answer is empty or failed is left out. */
    private static <V> CompletionStage<Found<V>> found(List<String> ids,
            Function<String, CompletionStage<Optional<V>>> ask) {
        Map<String, CompletableFuture<Optional<V>>> asked = new LinkedHashMap<>();
        AtomicBoolean failed = new AtomicBoolean();
        for (String id : ids) {
            asked.put(id, ask.apply(id).toCompletableFuture().exceptionally(e -> {
                failed.set(true);
                return Optional.empty();
            }));
        }
        return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, V> found = new HashMap<>();
            asked.forEach((id, answer) -> answer.join().ifPresent(value -> found.put(id, value)));
            return new Found<>(found, failed.get());
        });
    }
}
