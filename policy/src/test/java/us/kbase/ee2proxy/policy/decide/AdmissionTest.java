package us.kbase.ee2proxy.policy.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.Mode;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.UserOverride;
import us.kbase.ee2proxy.policy.WhenFull;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;
import us.kbase.ee2proxy.policy.decide.Decision.Admit;
import us.kbase.ee2proxy.policy.decide.Decision.Hold;
import us.kbase.ee2proxy.policy.decide.Decision.Refuse;
import us.kbase.ee2proxy.policy.decide.Decision.Then;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.JobCreation.RetryJobs;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJob;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJobBatch;
import us.kbase.ee2proxy.policy.request.RunJobParams;

class AdmissionTest {
    static final AdmissionPolicy POLICY = AdmissionPolicy.defaults();
    static final EffectivePolicy ALICE = POLICY.forUser("alice");
    static final Map<String, Integer> FIVE = Map.of("kb_Bowtie2", 3, "kb_concoct", 2);
    static final ParentLookup PARENTS = ParentLookup.of("alice", Map.of(
            "p0", SlotClaim.parentAt(0, "kb_BatchApp"), "p1", SlotClaim.parentAt(1, "kb_concoct"),
            "p2", SlotClaim.parentAt(2, "kb_hisat2")));

    static Classification call(JobCreation c) {
        return Classifier.classify(POLICY, c, "alice", PARENTS, RetryLookup.of(Map.of(
                "r1", RunJobParams.of("kb_Bwa.run"), "r2", RunJobParams.of("kb_concoct.run"),
                "r3", RunJobParams.of("kb_hisat2.run"))));
    }

    static Classification parent(String parentJobId) {
        return call(new RunJob(RunJobParams.of("kb_Bwa.run").withParentJobId(parentJobId), false));
    }

    static Classification child() {
        return call(new RunJob(RunJobParams.of("kb_uploadmethods.x").withParentJobId("p0"), false));
    }

    static Classification batch(int parallel, int others) {
        List<RunJobParams> jobs = new ArrayList<>();
        for (int i = 0; i < parallel; i++) jobs.add(RunJobParams.of(i % 2 == 0 ? "kb_Bowtie2.a" : "kb_concoct.b"));
        for (int i = 0; i < others; i++) jobs.add(RunJobParams.of("kb_uploadmethods.x"));
        return call(new RunJobBatch(jobs, false));
    }

    /**
     * Counts of a user who sent an own job recently, so the reserve is kept (KBase's default lends it
     * only after {@code children.reserveFor}; LentReserveTest covers the lending).
     */
    static UserCounts counts(int parents, int jobs, Map<String, Integer> byApp) {
        return new UserCounts(parents, jobs, byApp, true);
    }

    static Decision decide(Classification c, UserCounts counts) {
        return Admission.decide(ALICE, counts, c, Duration.ZERO);
    }

    @Test
    void theIssuesExampleMessageForAParentHeldAtTheCap() {
        Hold h = (Hold) decide(parent(null), counts(5, 7, FIVE));
        assertThat(h.reason().userMessage()).isEqualTo("You have 5 parallel apps running (kb_Bowtie2 x3, kb_concoct x2);"
                + " your limit is 5. This one starts when one of them finishes, and waits at most 10 minutes.");
        assertThat(h.reason().adminMessage()).isEqualTo("hold kb_Bwa job: P(u)=5 > C_0=5 (parents.maxPerUser 5 +"
                + " depth 0); held up to 10m, then refused; user alice (defaults)");
        assertThat(h.reason().rule()).isEqualTo("parents.maxPerUser");
        assertThat(h.atMost()).isEqualTo(Duration.ofMinutes(10));
        assertThat(h.then()).isEqualTo(Then.REFUSE);
        assertThat(h.demand()).isEqualTo(new SlotDemand(List.of(SlotClaim.parentAt(0, "kb_Bwa")), 5, SlotDemand.UNLIMITED));
    }

    @Test
    void aParentBelowTheCapIsAdmittedWithItsCapInTheDemand() {
        Admit a = (Admit) decide(parent(null), counts(4, 12, Map.of()));
        assertThat(a.demand().parentLimit()).isEqualTo(5);
        assertThat(a.shadowOf()).isEmpty();
        assertThat(a.reason().userMessage()).isEqualTo("Your kb_Bwa job was submitted.");
        assertThat(a.reason().adminMessage()).isEqualTo("admit kb_Bwa job: P(u)=4 < C_0=5; user alice (defaults)");
        // With ownJobs.maxQueued 0 (opt-in), under its cap but every slot taken: it waits for a slot,
        // and is admitted anyway at ownJobs.maxWait.
        EffectivePolicy waiting = withLimits(OWN_JOBS_WAIT);
        Admit free = (Admit) Admission.decide(waiting, counts(4, 9, Map.of()), parent(null), Duration.ZERO);
        assertThat(free.reason().adminMessage()).isEqualTo("admit kb_Bwa job: P(u)=4 < C_0=5, A(u)=9 < slots +"
                + " ownJobs.maxQueued = 10; user alice (override lab)");
        Hold h = (Hold) Admission.decide(waiting, counts(4, 12, Map.of()), parent(null), Duration.ZERO);
        assertThat(h.reason().rule()).isEqualTo("ownJobs.maxQueued");
        assertThat(h.then()).isEqualTo(Then.ADMIT);
        Admit aged = (Admit) Admission.decide(waiting, counts(4, 12, Map.of()), parent(null), Duration.ofMinutes(10));
        assertThat(aged.demand().parentLimit()).isEqualTo(5);
        assertThat(aged.demand().jobLimit()).isEqualTo(SlotDemand.UNLIMITED);
    }

    @Test
    void aNestedParentMayUseTheCapOfItsDepth() {
        assertThat(decide(parent("p0"), counts(5, 9, FIVE))).isInstanceOf(Admit.class);
        Hold h = (Hold) decide(parent("p0"), counts(6, 9, Map.of("kb_Bowtie2", 6)));
        assertThat(h.reason().userMessage()).isEqualTo("You have 6 parallel apps running (kb_Bowtie2 x6); your limit"
                + " for a parallel app started by another one (nesting level 1) is 6. This one was started by one of"
                + " your running parallel apps, so it is never refused: it is waiting at the proxy and starts when one"
                + " of them finishes.");
        assertThat(h.reason().rule()).isEqualTo("parents.maxPerUser+depth");
        assertThat(h.then()).isEqualTo(Decision.Then.WAIT);
    }

    @Test
    void aNestedParentSentByARunningAppWaitsForItsCapHoweverLongNeverRefusedNorAdmittedOverIt() {
        // A refusal would fail the sending app (KBParallel re-raises it); an admission over the cap
        // could fill every slot with parents. It waits, decided again at every release.
        for (Duration waited : List.of(Duration.ZERO, Limits.KBASE.parentsMaxWait(), Limits.KBASE.childrenMaxWait(),
                Duration.ofMinutes(29))) {
            Hold h = (Hold) Admission.decide(ALICE, counts(6, 9, Map.of("kb_Bowtie2", 6)), parent("p0"), waited);
            assertThat(h.then()).isEqualTo(Decision.Then.WAIT);
            assertThat(h.demand().parentLimit()).isEqualTo(Limits.KBASE.parentCap(1));
        }
        // parents.whenFull: refuse does not apply to it either.
        EffectivePolicy refusing = withLimits(new Limits(10, 5, 2, WhenFull.REFUSE, Duration.ofMinutes(10), 10,
                Duration.ofMinutes(15)));
        assertThat(Admission.decide(refusing, counts(6, 9, Map.of("kb_Bowtie2", 6)), parent("p0"), Duration.ZERO))
                .isInstanceOf(Hold.class);
    }

    @Test
    void aParentDeeperThanAllowedSentByARunningAppWaitsOnTheDeepestCapInsteadOfARefusal() {
        // p2 is at depth 2 (the deepest allowed): its kb_Bwa child would be at depth 3.
        Admit a = (Admit) decide(parent("p2"), counts(0, 0, Map.of()));
        assertThat(a.demand().parentLimit()).isEqualTo(Limits.KBASE.parentCap(2));
        assertThat(decide(parent("p2"), counts(7, 7, Map.of("kb_hisat2", 7)))).isInstanceOf(Hold.class);
    }

    @Test
    void aParentDeeperThanAllowedIsRefusedWithNoRetryAfterWhenNoRunningAppSentIt() {
        Classification nested = parent("p2");
        Classification notFromAnApp = new Classification(nested.jobClass(), nested.ledgerUser(), nested.claims(),
                nested.jobIndexes(), false);
        Refuse r = (Refuse) decide(notFromAnApp, counts(0, 0, Map.of()));
        assertThat(r.reason().userMessage()).isEqualTo("This kb_Bwa job was started by another parallel app and would be"
                + " nested 3 levels deep; your limit is 2, so it was not started. Run kb_Bwa on its own instead of from"
                + " inside another parallel app, or ask KBase support to raise the limit.");
        assertThat(r.reason().adminMessage()).isEqualTo(
                "refuse parallel app kb_Bwa: depth 3 > parents.maxNestingDepth 2; user alice (defaults)");
        assertThat(r.retryAfter()).isEmpty();
    }

    @Test
    void whenFullRefuseRefusesAtOnceWithRetryAfter() {
        EffectivePolicy refusing = withLimits(new Limits(10, 5, 2, WhenFull.REFUSE, Duration.ofMinutes(10), 10,
                Duration.ofMinutes(15)));
        Refuse r = (Refuse) Admission.decide(refusing, counts(5, 5, FIVE), parent(null), Duration.ZERO);
        assertThat(r.reason().userMessage()).isEqualTo("You have 5 parallel apps running (kb_Bowtie2 x3, kb_concoct x2);"
                + " your limit is 5. This one was not started. Start it again when one of them has finished.");
        assertThat(r.reason().adminMessage()).isEqualTo("refuse kb_Bwa job: P(u)=5 > C_0=5 (parents.maxPerUser 5 +"
                + " depth 0); parents.whenFull is refuse; user alice (override lab)");
        assertThat(r.retryAfter()).contains(Duration.ofMinutes(1));
    }

    @Test
    void aHeldParentIsRefusedOnceItsWaitIsOverAndAdmittedIfASlotOpenedBefore() {
        Refuse r = (Refuse) Admission.decide(ALICE, counts(5, 5, FIVE), parent(null), Duration.ofMinutes(10));
        assertThat(r.reason().userMessage()).isEqualTo("You have 5 parallel apps running (kb_Bowtie2 x3, kb_concoct x2);"
                + " your limit is 5. This one waited 10 minutes for one of them to finish and was not started."
                + " Start it again when one of them has finished.");
        assertThat(r.reason().adminMessage()).startsWith("refuse kb_Bwa job after holding 10m: P(u)=5 > C_0=5");
        Hold h = (Hold) Admission.decide(ALICE, counts(5, 5, FIVE), parent(null), Duration.ofMinutes(4));
        assertThat(h.atMost()).isEqualTo(Duration.ofMinutes(6));
        assertThat(Admission.decide(ALICE, counts(4, 5, FIVE), parent(null), Duration.ofMinutes(4))).isInstanceOf(Admit.class);
    }

    @Test
    void aChildIsHeldAtTheQueueLimitAndAgedInAfterItsWait() {
        // KBase's defaults: 10 slots, one kept free of children, none queued beyond them: limit 9.
        assertThat(decide(child(), counts(5, 8, FIVE))).isInstanceOf(Admit.class);
        Hold h = (Hold) decide(child(), counts(5, 9, FIVE));
        assertThat(h.reason().userMessage()).isEqualTo("You have 9 jobs queued or running; jobs started by other jobs"
                + " (parallel apps and batches) wait while you have 9 or more, so that your own new jobs start first"
                + " (you submitted one recently, so a job slot is kept free for the next). This kb_uploadmethods job"
                + " starts when some of them finish, and waits at most 15 minutes.");
        assertThat(h.reason().adminMessage()).isEqualTo("hold kb_uploadmethods job: A(u)=9 >= slots - children.reserve"
                + " + children.maxQueued (reserve kept: an own call within children.reserveFor) = 9; held up to 15m,"
                + " then admitted (aging); user alice (defaults)");
        assertThat(h.then()).isEqualTo(Then.ADMIT);
        assertThat(h.demand().jobLimit()).isEqualTo(9);
        Admit aged = (Admit) Admission.decide(ALICE, counts(5, 40, FIVE), child(), Duration.ofMinutes(15));
        assertThat(aged.demand().jobLimit()).isEqualTo(SlotDemand.UNLIMITED);
        assertThat(aged.reason().userMessage()).isEqualTo("Your kb_uploadmethods job was submitted after waiting 15"
                + " minutes, the longest a job started by another job waits.");
        assertThat(aged.reason().adminMessage()).isEqualTo("admit kb_uploadmethods job after aging: waited 15m >="
                + " children.maxWait 15m although A(u)=40 >= slots - children.reserve + children.maxQueued = 9;"
                + " user alice (defaults)");
    }

    @Test
    void theReserveNeverHoldsChildrenBelowWhatTheParentCapsAllow() {
        // slots 10, 5 + 2 levels of parallel apps: however big the reserve, 8 jobs still let a child in.
        Limits reserveNine = new Limits(10, 5, 2, WhenFull.HOLD, Duration.ofMinutes(10), 0, Duration.ofMinutes(15), 9);
        assertThat(reserveNine.childJobLimit()).isEqualTo(8);
        assertThat(Admission.decide(withLimits(reserveNine), counts(7, 7, FIVE), child(), Duration.ZERO))
                .isInstanceOf(Admit.class);
        assertThat(new Limits(10, 5, 2, WhenFull.HOLD, Duration.ofMinutes(10), 10, Duration.ofMinutes(15), 0)
                .childJobLimit()).isEqualTo(20);
    }

    @Test
    void plainJobsWaitAtTheProxyOnlyForAFreeSlotAndAreForwardedAtTheirWaitsEndNeverRefused() {
        Classification plain = call(new RunJob(RunJobParams.of("kb_uploadmethods.x"), false));
        // The default (ownJobs.maxQueued 1000000): a plain job never waits.
        Admit byDefault = (Admit) decide(plain, counts(9, 500, FIVE));
        assertThat(byDefault.demand().jobLimit()).isEqualTo(SlotDemand.UNLIMITED);
        // ownJobs.maxQueued 0 (opt-in): it waits for a free slot, and is sent anyway at ownJobs.maxWait.
        EffectivePolicy waiting = withLimits(OWN_JOBS_WAIT);
        Admit a = (Admit) Admission.decide(waiting, counts(9, 9, FIVE), plain, Duration.ZERO);
        assertThat(a.demand()).isEqualTo(new SlotDemand(List.of(SlotClaim.job("kb_uploadmethods")),
                SlotDemand.UNLIMITED, 10));
        assertThat(a.reason().adminMessage()).isEqualTo("admit kb_uploadmethods job: A(u)=9 < slots + ownJobs.maxQueued"
                + " = 10; user alice (override lab)");
        Hold h = (Hold) Admission.decide(waiting, counts(9, 500, FIVE), plain, Duration.ZERO);
        assertThat(h.then()).isEqualTo(Then.ADMIT);
        assertThat(h.atMost()).isEqualTo(Duration.ofMinutes(10));
        assertThat(h.reason().userMessage()).isEqualTo("Your kb_uploadmethods job is waiting at the proxy for one of"
                + " your job slots: you have 500 jobs queued or running, and EE2 would only queue it behind them. It"
                + " goes to EE2 as soon as one of them finishes, before jobs started by other jobs and before more jobs"
                + " of an app that already has more waiting, and after at most 10 minutes it is sent anyway.");
        assertThat(h.reason().adminMessage()).isEqualTo("hold kb_uploadmethods job: A(u)=500 >= slots +"
                + " ownJobs.maxQueued = 10; held up to 10m, then admitted (aging); user alice (override lab)");
        Hold later = (Hold) Admission.decide(waiting, counts(9, 500, FIVE), plain, Duration.ofMinutes(4));
        assertThat(later.atMost()).isEqualTo(Duration.ofMinutes(6));
        Admit aged = (Admit) Admission.decide(waiting, counts(9, 500, FIVE), plain, Duration.ofMinutes(10));
        assertThat(aged.demand().jobLimit()).isEqualTo(SlotDemand.UNLIMITED);
        assertThat(aged.reason().rule()).isEqualTo("ownJobs.maxWait");
        assertThat(aged.reason().userMessage()).isEqualTo("Your kb_uploadmethods job was submitted after waiting 10"
                + " minutes for a free job slot, the longest it waits; it may queue at EE2 behind your other jobs.");
        // The rules before ownJobs: a plain job never waits.
        EffectivePolicy never = withLimits(new Limits(10, 5, 2, WhenFull.HOLD, Duration.ofMinutes(10), 0,
                Duration.ofMinutes(15), 1));
        Admit old = (Admit) Admission.decide(never, counts(9, 500, FIVE), plain, Duration.ZERO);
        assertThat(old.demand().jobLimit()).isEqualTo(SlotDemand.UNLIMITED);
        assertThat(old.reason().adminMessage()).isEqualTo("admit kb_uploadmethods job: the user's own jobs never wait"
                + " for a slot under these limits; user alice (override lab)");
    }

    @Test
    void exemptCallsAreAdmittedWithoutAClaim() {
        Admit a = (Admit) decide(call(new RunJob(RunJobParams.of("kb_Bwa.run"), true)), counts(9, 500, FIVE));
        assertThat(a.demand().claims()).isEmpty();
        assertThat(a.reason().adminMessage()).isEqualTo("admit exempt job, no slot taken: run_job_concierge ignores"
                + " concurrency limits; user alice (defaults)");
        assertThat(a.reason().userMessage()).isEqualTo("Your job was submitted.");
        RunJobParams adminJob = new RunJobParams("kb_Bwa.run", null, null, true,
                new us.kbase.ee2proxy.policy.request.JobRequirements(true, true, null));
        assertThat(decide(call(new RunJob(adminJob, false)), counts(9, 500, FIVE)).reason().adminMessage())
                .isEqualTo("admit exempt job, no slot taken: as_admin with job_requirements.ignore_concurrency_limits;"
                        + " user alice (defaults)");
        AdmissionPolicy withSvc = POLICY.toBuilder().exemptUsers(java.util.Set.of("svc")).build();
        Classification svc = Classifier.classify(withSvc, new RunJob(RunJobParams.of("kb_Bwa.run"), false), "svc",
                ParentLookup.NONE, RetryLookup.NONE);
        assertThat(Admission.decide(withSvc.forUser("svc"), counts(9, 500, FIVE), svc, Duration.ZERO).reason()
                .adminMessage()).isEqualTo("admit exempt job, no slot taken: the user is listed in exempt.users;"
                        + " user svc (defaults)");
    }

    @Test
    void aBatchWithMoreParallelAppsThanTheCapMustBeSplit() {
        Refuse r = (Refuse) decide(batch(7, 2), UserCounts.ZERO);
        assertThat(r.reason().userMessage()).isEqualTo("This batch has 7 parallel apps (kb_Bowtie2 x4, kb_concoct x3);"
                + " at most 5 can run at once, so the batch was not started. Split it into batches of at most 5 parallel"
                + " apps each.");
        assertThat(r.reason().adminMessage()).isEqualTo("refuse batch: k=7 parallel apps > C_0=5 (parents.maxPerUser);"
                + " it could never be admitted; user alice (defaults)");
        assertThat(r.retryAfter()).isEmpty();
    }

    @Test
    void retryingTooManyParallelAppsAtOnceSaysToRetryFewer() {
        EffectivePolicy two = withLimits(new Limits(10, 2, 2, WhenFull.HOLD, Duration.ofMinutes(10), 10, Duration.ofMinutes(15)));
        Classification retry = call(new RetryJobs(List.of("r1", "r2", "r3"), false, false));
        Refuse r = (Refuse) Admission.decide(two, UserCounts.ZERO, retry, Duration.ZERO);
        assertThat(r.reason().userMessage()).isEqualTo("You asked to retry 3 parallel apps (kb_Bwa x1, kb_concoct x1,"
                + " kb_hisat2 x1) at once; at most 2 can run at once, so nothing was retried. Retry at most 2 of them at a time.");
    }

    @Test
    void aBatchIsOneArrivalAdmittedWholeWhileTheUsersQueueHasRoom() {
        Admit big = (Admit) decide(batch(0, 100), counts(0, 8, Map.of()));
        assertThat(big.demand().claims()).hasSize(100);
        assertThat(big.demand().jobLimit()).isEqualTo(8 + 100);
        Hold held = (Hold) decide(batch(0, 100), counts(0, 9, Map.of()));
        assertThat(held.reason().userMessage()).contains("This batch starts when some of them finish, and waits at most 15 minutes.");
        assertThat(held.then()).isEqualTo(Then.ADMIT);
    }

    @Test
    void aBatchsParallelAppsMustFitTogetherUnderTheCap() {
        assertThat(decide(batch(2, 3), counts(3, 3, Map.of("kb_Bwa", 3)))).isInstanceOf(Admit.class);
        Hold h = (Hold) decide(batch(2, 3), counts(4, 4, Map.of("kb_Bwa", 4)));
        assertThat(h.reason().userMessage()).isEqualTo("This batch has 2 parallel apps and you have 4 running (kb_Bwa x4);"
                + " your limit is 5. The batch starts when enough of them finish, and waits at most 10 minutes.");
        assertThat(h.reason().adminMessage()).startsWith("hold batch: P(u)=4 + k=2 > C_0=5");
        assertThat(h.then()).isEqualTo(Then.REFUSE);
        Refuse r = (Refuse) Admission.decide(ALICE, counts(4, 4, Map.of("kb_Bwa", 4)), batch(2, 3), Duration.ofMinutes(10));
        assertThat(r.reason().userMessage()).isEqualTo("This batch has 2 parallel apps and you have 4 running (kb_Bwa x4);"
                + " your limit is 5. The batch waited 10 minutes for them to finish and was not started. Start it again"
                + " when enough of them have finished.");
    }

    @Test
    void aBatchWithChildrenNeverWaitsPastTheChildrensWait() {
        EffectivePolicy shortChildWait = withLimits(new Limits(10, 5, 2, WhenFull.HOLD, Duration.ofMinutes(20), 10,
                Duration.ofMinutes(5)));
        Hold h = (Hold) Admission.decide(shortChildWait, counts(4, 4, Map.of()), batch(2, 3), Duration.ZERO);
        assertThat(h.atMost()).isEqualTo(Duration.ofMinutes(5));
        Decision late = Admission.decide(shortChildWait, counts(3, 30, Map.of()), batch(2, 3), Duration.ofMinutes(5));
        assertThat(late).isInstanceOf(Admit.class);
        assertThat(((Admit) late).demand().parentLimit()).isEqualTo(5);
    }

    @Test
    void parentsTakenTogetherAtDifferentDepthsEachSeeTheirOwnCap() {
        EffectivePolicy p = ALICE;
        // caps 5 (depth 0) and 6 (depth 1): P + 1 - 1 < 5 and P + 2 - 1 < 6, so P <= 4.
        assertThat(Admission.parentLimit(p.limits(), List.of(1, 0))).isEqualTo(6);
        // caps 6 and 6: P < 6 and P + 1 < 6: P <= 4.
        assertThat(Admission.parentLimit(p.limits(), List.of(1, 1))).isEqualTo(6);
        assertThat(Admission.parentLimit(p.limits(), List.of(0, 0, 0))).isEqualTo(5);
    }

    @Test
    void shadowModeAdmitsEverythingButRecordsWhatEnforceWouldDo() {
        EffectivePolicy shadow = new EffectivePolicy("alice", Mode.SHADOW, Limits.KBASE, false, null);
        Admit a = (Admit) Admission.decide(shadow, counts(5, 5, FIVE), parent(null), Duration.ZERO);
        assertThat(a.shadowOf()).get().isInstanceOf(Hold.class);
        assertThat(a.reason().rule()).isEqualTo("parents.maxPerUser");
        assertThat(a.demand().parentLimit()).isEqualTo(SlotDemand.UNLIMITED);
        assertThat(a.demand().claims()).containsExactly(SlotClaim.parentAt(0, "kb_Bwa"));
        Admit nestedAtCap = (Admit) Admission.decide(shadow, counts(7, 7, FIVE), parent("p2"), Duration.ZERO);
        assertThat(nestedAtCap.shadowOf()).get().isInstanceOf(Hold.class);
        Admit fine = (Admit) Admission.decide(shadow, UserCounts.ZERO, parent(null), Duration.ZERO);
        assertThat(fine.shadowOf()).isEqualTo(Optional.empty());
    }

    @Test
    void overridesChangeTheNumbersInDecisionsAndTexts() {
        AdmissionPolicy lab = POLICY.toBuilder().override(new UserOverride("smith-lab", List.of("alice"),
                new Limits(20, 12, 2, WhenFull.HOLD, Duration.ofMinutes(3), 5, Duration.ofMinutes(15)),
                java.util.Set.of("slots", "parents.maxPerUser", "parents.maxWait", "children.maxQueued"))).build();
        EffectivePolicy alice = lab.forUser("alice");
        assertThat(Admission.decide(alice, counts(11, 11, Map.of()), parent(null), Duration.ZERO)).isInstanceOf(Admit.class);
        Hold h = (Hold) Admission.decide(alice, counts(12, 12, Map.of("kb_Bwa", 12)), parent(null), Duration.ZERO);
        assertThat(h.reason().userMessage()).endsWith("your limit is 12. This one starts when one of them finishes, and"
                + " waits at most 3 minutes.");
        assertThat(h.reason().adminMessage()).endsWith("user alice (override smith-lab)");
        assertThat(((Hold) Admission.decide(alice, counts(0, 25, Map.of()), child(), Duration.ZERO)).demand().jobLimit())
                .isEqualTo(25);
    }

    /** KBase's limits with the user's own calls waiting for a free slot ({@code ownJobs.maxQueued: 0}). */
    private static final Limits OWN_JOBS_WAIT = new Limits(10, 5, 2, WhenFull.HOLD, Duration.ofMinutes(10), 0,
            Duration.ofMinutes(15), 1, Limits.KBPARALLEL_MAX_TASKS, 0, Duration.ofMinutes(10));

    private static EffectivePolicy withLimits(Limits l) {
        return new EffectivePolicy("alice", Mode.ENFORCE, l, false, "lab");
    }
}
