package us.kbase.ee2proxy.policy.classify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.OwnModuleJobs;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.JobClass.Batch;
import us.kbase.ee2proxy.policy.classify.JobClass.Child;
import us.kbase.ee2proxy.policy.classify.JobClass.Exempt;
import us.kbase.ee2proxy.policy.classify.JobClass.Parent;
import us.kbase.ee2proxy.policy.classify.JobClass.Plain;
import us.kbase.ee2proxy.policy.classify.JobClass.Why;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.JobCreation.RetryJobs;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJob;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJobBatch;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * Classifies a sniffed job-creating call: pure, given the lookups. Rules (DESIGN.md):
 * <ol>
 *   <li>{@code run_job_concierge} with truthy concierge params is exempt (with falsy ones EE2 runs a
 *       normal job, classified as {@code run_job}); so is an {@code as_admin} job whose
 *       {@code job_requirements.ignore_concurrency_limits} is truthy.
 *   <li>The ledger user is {@code bill_to_user} on an {@code as_admin} job that sets it (EE2 honours
 *       job_requirements only with as_admin), else the token's user. A ledger user listed in
 *       {@code exempt.users} makes the job exempt.
 *   <li>A job's parent is the active parallel app of the same ledger user that its
 *       {@code parent_job_id} names; failing that, for a job sent in KBParallel's shape
 *       ({@code remote_url}, or a module-only {@code app_id}: {@link RunJobParams#kbParallelShaped})
 *       by a user with active parallel apps, the one it is attributed to ({@link #attribute}): the
 *       deepest of that user's active apps of the job's own module, else the deepest of all.
 *   <li>A parallel app ({@code parents.apps}) with a parent at depth d is a parent at depth d+1,
 *       except that a job of its parent's own module is a child (the module's worker) when
 *       {@code parents.ownModuleJobs} is {@code child} and only its module is listed (an entry
 *       naming its method or app says it is the app itself); without a parent it is a parent at
 *       depth 0.
 *   <li>Any other job with a parent, or with a {@code parent_job_id} at all, is a child (claiming a
 *       parent only lowers a job's priority); otherwise a plain job.
 *   <li>A job with a parent was sent by a running parallel app, whose loop fails the whole app on
 *       an error reply: its classification says {@link Classification#fromParallelApp()}, and
 *       admission never refuses it.
 *   <li>{@code run_job_batch}: every member classified as above, except that non-parallel members
 *       are children; exempt members take no claim. All members exempt: the call is exempt.
 *   <li>{@code retry_job(s)}: each retried job's params (see {@link RetryLookup}) classified as
 *       {@code run_job}; a job EE2 will not show the caller makes a plain job (EE2 refuses that
 *       retry too); a job that could not be looked up (EE2 unreachable or too slow) makes a parallel
 *       app at depth 0, the strictest class. One id: that class; several: a {@link Batch} with
 *       {@code retry} true.
 *   <li>A batch's ledger user is its members' common ledger user, or the token's user when they differ.
 *   <li>A job given its class by a running parent (rules 4 and 5: a child of an active parallel app)
 *       is trusted only so far: its claim records the parent it counts against ({@code childOf}: the
 *       named parent, or {@link ChildBound#ATTRIBUTED} for one attributed without
 *       {@code parent_job_id}), and the classification carries a {@link ChildBound} the ledger
 *       checks when it takes the claim: {@code children.perParent} per named parent, and for an
 *       attributed one all of the user's children, named or not, within {@code children.perParent}
 *       times the user's active parallel apps (any running app may have sent any of them). Beyond
 *       the bound the call is classified as if it named no parent and no app were running
 *       ({@link Classification#beyondBound()}): the real KBParallel keeps at most 50 children of
 *       one app outstanding, so more than that is not KBParallel, and a listed parallel app among
 *       them counts against the parallel-app cap.
 * </ol>
 */
public final class Classifier {
    static final String UNKNOWN_APP = "unknown";

    /**
     * The lookup of a call classified beyond its child bound: it finds no parent, and marks that
     * {@code parent_job_id} itself is not read (the call is what it would be without one).
     */
    private static final ParentLookup UNPARENTED = (user, jobId) -> Optional.empty();

    /** A member's class and, for a running parallel app's child, the parent it counts against. */
    private record Member(JobClass jobClass, String childOf) {
        Member(JobClass jobClass) {
            this(jobClass, null);
        }
    }

    private Classifier() {}

    public static Classification classify(AdmissionPolicy policy, JobCreation call, String tokenUser,
            ParentLookup parents, RetryLookup retries) {
        Classification c = classifyWith(policy, call, tokenUser, parents, retries);
        List<ChildBound> bounds = bounds(policy, c, parents);
        return bounds.isEmpty() ? c
                : c.bounded(bounds, classifyWith(policy, call, tokenUser, UNPARENTED, retries));
    }

    /**
     * One bound per parent the call's children count against: {@code children.perParent} for a
     * named parent; for children attributed without {@code parent_job_id}, all the user's children
     * within {@code children.perParent} times the user's active parallel apps, since each of them
     * keeps at most that many outstanding and any of them may have sent any such child (so no real
     * KBParallel app, however many of one module run, is ever beyond it).
     */
    private static List<ChildBound> bounds(AdmissionPolicy policy, Classification c, ParentLookup parents) {
        Map<String, Integer> limits = new LinkedHashMap<>();
        int perParent = policy.forUser(c.ledgerUser()).limits().childrenPerParent();
        for (SlotClaim claim : c.claims()) {
            if (claim.childOf() != null) {
                long apps = claim.childOf().equals(ChildBound.ATTRIBUTED)
                        ? Math.max(1, parents.activeParents(c.ledgerUser()).size()) : 1;
                limits.putIfAbsent(claim.childOf(), (int) Math.min(Integer.MAX_VALUE, perParent * apps));
            }
        }
        List<ChildBound> bounds = new ArrayList<>();
        limits.forEach((parent, limit) -> bounds.add(new ChildBound(parent, limit)));
        return bounds;
    }

    private static Classification classifyWith(AdmissionPolicy policy, JobCreation call, String tokenUser,
            ParentLookup parents, RetryLookup retries) {
        if (call instanceof RunJob r) {
            return r.concierge()
                    ? new Classification(new Exempt(Why.CONCIERGE), tokenUser, List.of(), List.of())
                    : single(policy, r.params(), tokenUser, parents);
        }
        if (call instanceof RunJobBatch b) {
            return group(policy, b.jobs(), b.asAdmin(), true, false, tokenUser, parents);
        }
        return retry(policy, (RetryJobs) call, tokenUser, parents, retries);
    }

    /** The parent ids to resolve with the ledger before classifying (retried jobs' included). */
    public static Set<String> parentJobIds(JobCreation call, RetryLookup retries) {
        Set<String> ids = new LinkedHashSet<>();
        if (call instanceof RunJob r) {
            addParent(ids, r.params());
        } else if (call instanceof RunJobBatch b) {
            b.jobs().forEach(j -> addParent(ids, j));
        } else if (call instanceof RetryJobs r) {
            r.jobIds().forEach(id -> retries.retried(id).ifPresent(p -> addParent(ids, p)));
        }
        return ids;
    }

    /**
     * Whether the caller must fetch the user's active parallel apps
     * ({@link ParentLookup#activeParents}) before classifying: for a {@code run_job} in KBParallel's
     * shape, which may be a child that names no parent.
     */
    public static boolean needsActiveParents(JobCreation call) {
        return call instanceof RunJob r && !r.concierge() && r.params().kbParallelShaped();
    }

    /** The job ids whose params the caller must look up for a retry; empty for other calls. */
    public static List<String> retriedJobIds(JobCreation call) {
        return call instanceof RetryJobs r ? r.jobIds() : List.of();
    }

    /** The label ledger claims and messages use: the module of method, else of app_id. */
    public static String appLabel(RunJobParams job) {
        String module = job.module();
        if (module != null && !module.isEmpty()) {
            return module;
        }
        if (job.appId() != null && !job.appId().isEmpty()) {
            int slash = job.appId().indexOf('/');
            return slash < 0 ? job.appId() : job.appId().substring(0, slash);
        }
        return UNKNOWN_APP;
    }

    private static Classification single(AdmissionPolicy policy, RunJobParams job, String tokenUser,
            ParentLookup parents) {
        String ledgerUser = ledgerUser(job, false, tokenUser);
        Member m = memberClass(policy, job, false, false, ledgerUser, parents);
        JobClass c = m.jobClass();
        if (c instanceof Exempt) {
            return new Classification(c, ledgerUser, List.of(), List.of());
        }
        boolean fromParallelApp = c instanceof Child || c instanceof Parent p && p.depth() > 0;
        return new Classification(c, ledgerUser, List.of(claim(m)), List.of(0), fromParallelApp);
    }

    private static Classification group(AdmissionPolicy policy, List<RunJobParams> jobs, boolean asAdmin,
            boolean batch, boolean retry, String tokenUser, ParentLookup parents) {
        String ledgerUser = commonLedgerUser(jobs, asAdmin, tokenUser);
        List<JobClass> members = new ArrayList<>();
        List<SlotClaim> claims = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        boolean anyExempt = false;
        for (int i = 0; i < jobs.size(); i++) {
            Member m = memberClass(policy, jobs.get(i), asAdmin, batch, ledgerUser, parents);
            if (m.jobClass() instanceof Exempt) {
                anyExempt = true;
                continue;
            }
            members.add(m.jobClass());
            claims.add(claim(m));
            indexes.add(i);
        }
        if (members.isEmpty() && anyExempt) {
            Why why = policy.exemptUsers().contains(ledgerUser) ? Why.EXEMPT_USER : Why.ADMIN_IGNORES_LIMITS;
            return new Classification(new Exempt(why), ledgerUser, List.of(), List.of());
        }
        return new Classification(new Batch(members, retry), ledgerUser, claims, indexes);
    }

    private static Classification retry(AdmissionPolicy policy, RetryJobs r, String tokenUser,
            ParentLookup parents, RetryLookup retries) {
        List<RunJobParams> jobs = new ArrayList<>();
        List<Boolean> unknown = new ArrayList<>();
        for (String id : r.jobIds()) {
            jobs.add(retries.retried(id).orElse(RunJobParams.of(null)));
            unknown.add(retries.unknown(id));
        }
        if (jobs.size() == 1) {
            return unknown.get(0) ? unknownRetry(tokenUser) : single(policy, jobs.get(0), tokenUser, parents);
        }
        Classification c = group(policy, jobs, false, false, true, tokenUser, parents);
        if (!unknown.contains(true) || !(c.jobClass() instanceof Batch b)) {
            return c;
        }
        // Members whose job could not be looked up count as parallel apps at depth 0.
        List<JobClass> members = new ArrayList<>(b.members());
        List<SlotClaim> claims = new ArrayList<>(c.claims());
        for (int k = 0; k < c.jobIndexes().size(); k++) {
            if (unknown.get(c.jobIndexes().get(k))) {
                members.set(k, new Parent(0, UNKNOWN_APP, null));
                claims.set(k, SlotClaim.parentAt(0, UNKNOWN_APP));
            }
        }
        return new Classification(new Batch(members, true), c.ledgerUser(), claims, c.jobIndexes());
    }

    /** A retry of a job the proxy could not look up: the strictest class it could have. */
    private static Classification unknownRetry(String tokenUser) {
        Parent p = new Parent(0, UNKNOWN_APP, null);
        return new Classification(p, tokenUser, List.of(claim(new Member(p))), List.of(0));
    }

    private static Member memberClass(AdmissionPolicy policy, RunJobParams job, boolean callAsAdmin,
            boolean batchMember, String ledgerUser, ParentLookup parents) {
        boolean admin = job.asAdmin() || callAsAdmin;
        if (admin && job.requirements().ignoreConcurrencyLimits()) {
            return new Member(new Exempt(Why.ADMIN_IGNORES_LIMITS));
        }
        if (policy.exemptUsers().contains(ledgerUser)) {
            return new Member(new Exempt(Why.EXEMPT_USER));
        }
        String app = appLabel(job);
        String parentId = parents == UNPARENTED ? null : job.parentJobId();
        Optional<ActiveParent> parent = parentOf(job, parentId, app, batchMember, ledgerUser, parents);
        // What a running app's child counts against: the parent it named, or all running apps.
        String childOf = parent.isEmpty() ? null : named(parent.get(), parentId) ? parentId : ChildBound.ATTRIBUTED;
        if (policy.isParallelApp(job)) {
            if (parent.isEmpty()) {
                return new Member(new Parent(0, app, null));
            }
            SlotClaim p = parent.get().claim();
            if (policy.ownModuleJobs() == OwnModuleJobs.CHILD && p.app().equals(app) && policy.isParallelByModuleOnly(job)
                    && (named(parent.get(), parentId) || onlyAppsOf(app, parents.activeParents(ledgerUser)))) {
                return new Member(new Child(parent.get().jobId(), app), childOf);
            }
            // A nested app that names no parent was sent by an app of another module (an app does
            // not start itself): the deepest of those, the highest cap it could be owed.
            ActiveParent sender = named(parent.get(), parentId) ? parent.get()
                    : deepest(parents.activeParents(ledgerUser).stream().filter(a -> !a.claim().app().equals(app))
                            .toList()).orElse(parent.get());
            return new Member(new Parent(sender.claim().depth() + 1, app, sender.jobId()));
        }
        if (parent.isPresent()) {
            return new Member(new Child(parent.get().jobId(), app), childOf);
        }
        if (parentId != null || batchMember) {
            return new Member(new Child(parentId, app)); // only lowers its priority: no bound needed
        }
        return new Member(new Plain(app));
    }

    /**
     * The active parallel app that sent this job: the one its {@code parent_job_id} names, or, for a
     * job in KBParallel's shape, the one it is attributed to. A {@code parent_job_id} naming
     * anything else earns nothing.
     */
    private static Optional<ActiveParent> parentOf(RunJobParams job, String parentId, String app,
            boolean batchMember, String ledgerUser, ParentLookup parents) {
        if (parentId != null) {
            Optional<SlotClaim> named = parents.activeParent(ledgerUser, parentId).filter(SlotClaim::parent);
            if (named.isPresent()) {
                return Optional.of(new ActiveParent(parentId, named.get()));
            }
        }
        // A batch comes from the narrative, never from KBParallel's loop.
        return !batchMember && job.kbParallelShaped() && parents != UNPARENTED
                ? attribute(parents.activeParents(ledgerUser), app)
                : Optional.empty();
    }

    /**
     * Which active parallel app a KBParallel child that names no parent came from. KBParallel runs
     * tasks of any module, but the known callers (kb_Bowtie2, kb_hisat2) fan out into workers of
     * their own module, so an app of the child's module is the likeliest sender; among several,
     * the deepest; without one, the deepest of all. A tie goes to the earliest listed (the ledger
     * lists oldest first).
     */
    static Optional<ActiveParent> attribute(List<ActiveParent> active, String app) {
        Optional<ActiveParent> sameModule = deepest(active.stream().filter(a -> a.claim().app().equals(app)).toList());
        return sameModule.isPresent() ? sameModule : deepest(active);
    }

    /**
     * Without parent_job_id a job of a running app's own module is that app's worker only when no
     * app of another module runs that could have sent it as a nested app (kb_BatchApp running
     * kb_Bowtie2's sample-set app beside a kb_Bowtie2 app): when one does, it counts as the nested
     * app, which keeps every cap (a worker taken for one waits at worst for its cap).
     */
    private static boolean onlyAppsOf(String app, List<ActiveParent> active) {
        return active.stream().allMatch(a -> a.claim().app().equals(app));
    }

    private static boolean named(ActiveParent parent, String parentJobId) {
        return parentJobId != null && parentJobId.equals(parent.jobId());
    }

    private static Optional<ActiveParent> deepest(List<ActiveParent> active) {
        ActiveParent deepest = null;
        for (ActiveParent a : active) {
            if (deepest == null || a.claim().depth() > deepest.claim().depth()) {
                deepest = a;
            }
        }
        return Optional.ofNullable(deepest);
    }

    private static SlotClaim claim(Member m) {
        JobClass c = m.jobClass();
        if (c instanceof Parent p) {
            return SlotClaim.parentAt(p.depth(), p.app());
        }
        if (c instanceof Child ch) {
            return m.childOf() == null ? SlotClaim.job(ch.app()) : SlotClaim.childOf(m.childOf(), ch.app());
        }
        if (c instanceof Plain p) {
            return SlotClaim.job(p.app());
        }
        throw new IllegalArgumentException("only a plain, parent or child job has one claim: " + c);
    }

    private static String ledgerUser(RunJobParams job, boolean callAsAdmin, String tokenUser) {
        boolean admin = job.asAdmin() || callAsAdmin;
        String bill = job.requirements().billToUser();
        return admin && bill != null ? bill : tokenUser;
    }

    private static String commonLedgerUser(List<RunJobParams> jobs, boolean asAdmin, String tokenUser) {
        String common = null;
        for (RunJobParams j : jobs) {
            if ((j.asAdmin() || asAdmin) && j.requirements().ignoreConcurrencyLimits()) {
                continue;
            }
            String u = ledgerUser(j, asAdmin, tokenUser);
            if (common == null) {
                common = u;
            } else if (!common.equals(u)) {
                return tokenUser;
            }
        }
        return common == null ? tokenUser : common;
    }

    private static void addParent(Set<String> ids, RunJobParams job) {
        if (job.parentJobId() != null) {
            ids.add(job.parentJobId());
        }
    }
}
