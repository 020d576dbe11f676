package us.kbase.ee2proxy.policy.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
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
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;

class ClassifierTest {
    static final AdmissionPolicy POLICY = AdmissionPolicy.defaults();
    static final String BOWTIE = "kb_Bowtie2.align_reads_to_assembly_app";
    static final ParentLookup ALICE_PARENTS = ParentLookup.of("alice", Map.of(
            "p-bwa", SlotClaim.parentAt(0, "kb_Bwa"),
            "p-batch", SlotClaim.parentAt(1, "kb_BatchApp"),
            "p-bowtie", SlotClaim.parentAt(0, "kb_Bowtie2"),
            "plain-job", SlotClaim.job("kb_uploadmethods")));

    static Classification classify(JobCreation call) {
        return Classifier.classify(POLICY, call, "alice", ALICE_PARENTS, RetryLookup.NONE);
    }

    static RunJob run(String method, String parent) {
        return new RunJob(RunJobParams.of(method).withParentJobId(parent), false);
    }

    static RunJobParams admin(String method, boolean ignoreLimits, String billTo) {
        return new RunJobParams(method, null, null, true, new JobRequirements(true, ignoreLimits, billTo));
    }

    @Test
    void anAppNotListedIsPlainAndTakesOneJobClaim() {
        Classification c = classify(run("kb_uploadmethods.import_fastq", null));
        assertThat(c.jobClass()).isEqualTo(new Plain("kb_uploadmethods"));
        assertThat(c.ledgerUser()).isEqualTo("alice");
        assertThat(c.claims()).containsExactly(SlotClaim.job("kb_uploadmethods"));
        assertThat(c.jobIndexes()).containsExactly(0);
    }

    @Test
    void aListedAppAtTopLevelIsAParentAtDepthZero() {
        Classification c = classify(run(BOWTIE, null));
        assertThat(c.jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
        assertThat(c.claims()).containsExactly(SlotClaim.parentAt(0, "kb_Bowtie2"));
        assertThat(classify(run("kb_BatchApp.run_batch", null)).jobClass()).isInstanceOf(Parent.class);
        assertThat(classify(run("kb_BatchApp.status", null)).jobClass()).isInstanceOf(Plain.class);
    }

    @Test
    void aListedAppStartedByAnActiveParentIsOneLevelDeeper() {
        assertThat(classify(run(BOWTIE, "p-bwa")).jobClass()).isEqualTo(new Parent(1, "kb_Bowtie2", "p-bwa"));
        assertThat(classify(run(BOWTIE, "p-batch")).jobClass()).isEqualTo(new Parent(2, "kb_Bowtie2", "p-batch"));
    }

    @Test
    void aParentIdThatNamesNoActiveParentOfTheSameUserEarnsNothing() {
        assertThat(classify(run(BOWTIE, "forged")).jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
        assertThat(classify(run(BOWTIE, "plain-job")).jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
        Classification bob = Classifier.classify(POLICY, run(BOWTIE, "p-bwa"), "bob", ALICE_PARENTS, RetryLookup.NONE);
        assertThat(bob.jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
    }

    @Test
    void kbParallelCopiesOfTheParentsOwnModuleAreChildrenUnlessThePolicySaysParent() {
        assertThat(classify(run(BOWTIE, "p-bowtie")).jobClass()).isEqualTo(new Child("p-bowtie", "kb_Bowtie2"));
        AdmissionPolicy strict = POLICY.toBuilder().ownModuleJobs(OwnModuleJobs.PARENT).build();
        assertThat(Classifier.classify(strict, run(BOWTIE, "p-bowtie"), "alice", ALICE_PARENTS, RetryLookup.NONE)
                .jobClass()).isEqualTo(new Parent(1, "kb_Bowtie2", "p-bowtie"));
    }

    @Test
    void anyOtherJobWithAParentIdIsAChildWhateverTheIdNames() {
        assertThat(classify(run("kb_uploadmethods.x", "p-bwa")).jobClass()).isEqualTo(new Child("p-bwa", "kb_uploadmethods"));
        assertThat(classify(run("kb_uploadmethods.x", "forged")).jobClass()).isEqualTo(new Child("forged", "kb_uploadmethods"));
    }

    @Test
    void conciergeAndAdminJobsIgnoringLimitsAreExempt() {
        Classification concierge = classify(new RunJob(RunJobParams.of(BOWTIE), true));
        assertThat(concierge.jobClass()).isEqualTo(new Exempt(Why.CONCIERGE));
        assertThat(concierge.claims()).isEmpty();
        assertThat(classify(new RunJob(admin(BOWTIE, true, null), false)).jobClass())
                .isEqualTo(new Exempt(Why.ADMIN_IGNORES_LIMITS));
        RunJobParams notAdmin = new RunJobParams(BOWTIE, null, null, false, new JobRequirements(true, true, null));
        assertThat(classify(new RunJob(notAdmin, false)).jobClass()).isInstanceOf(Parent.class);
    }

    @Test
    void billToUserMovesAnAdminJobOntoThatUsersLedger() {
        assertThat(classify(new RunJob(admin(BOWTIE, false, "carol"), false)).ledgerUser()).isEqualTo("carol");
        RunJobParams notAdmin = new RunJobParams(BOWTIE, null, null, false, new JobRequirements(true, false, "carol"));
        assertThat(classify(new RunJob(notAdmin, false)).ledgerUser()).isEqualTo("alice");
    }

    @Test
    void exemptUsersAreDecidedOnTheLedgerUser() {
        AdmissionPolicy p = POLICY.toBuilder().exemptUsers(Set.of("svc")).build();
        assertThat(Classifier.classify(p, run(BOWTIE, null), "svc", ParentLookup.NONE, RetryLookup.NONE).jobClass())
                .isEqualTo(new Exempt(Why.EXEMPT_USER));
        assertThat(Classifier.classify(p, new RunJob(admin(BOWTIE, false, "svc"), false), "alice", ParentLookup.NONE,
                RetryLookup.NONE).jobClass()).isEqualTo(new Exempt(Why.EXEMPT_USER));
    }

    @Test
    void aBatchCountsParallelAppsAsParentsAndEverythingElseAsChildren() {
        Classification c = classify(new RunJobBatch(List.of(
                RunJobParams.of(BOWTIE), RunJobParams.of("kb_uploadmethods.a"), RunJobParams.of("kb_concoct.run"),
                RunJobParams.of("kb_uploadmethods.b")), false));
        Batch b = (Batch) c.jobClass();
        assertThat(b.parents()).isEqualTo(2);
        assertThat(b.others()).isEqualTo(2);
        assertThat(b.retry()).isFalse();
        assertThat(b.members()).element(1).isEqualTo(new Child(null, "kb_uploadmethods"));
        assertThat(b.parentsByApp()).isEqualTo(Map.of("kb_Bowtie2", 1, "kb_concoct", 1));
        assertThat(c.claims()).containsExactly(SlotClaim.parentAt(0, "kb_Bowtie2"), SlotClaim.job("kb_uploadmethods"),
                SlotClaim.parentAt(0, "kb_concoct"), SlotClaim.job("kb_uploadmethods"));
        assertThat(c.jobIndexes()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void exemptBatchMembersTakeNoClaimAndKeepTheOthersIndexes() {
        Classification c = classify(new RunJobBatch(List.of(
                admin("kb_uploadmethods.a", true, null), RunJobParams.of("kb_uploadmethods.b")), true));
        assertThat(c.claims()).containsExactly(SlotClaim.job("kb_uploadmethods"));
        assertThat(c.jobIndexes()).containsExactly(1);
        Classification all = classify(new RunJobBatch(List.of(admin("a.b", true, null), admin("c.d", true, null)), true));
        assertThat(all.jobClass()).isEqualTo(new Exempt(Why.ADMIN_IGNORES_LIMITS));
    }

    @Test
    void aRetryTakesTheClassOfTheJobItRetries() {
        RetryLookup retries = RetryLookup.of(Map.of(
                "old-parent", RunJobParams.of(BOWTIE).withParentJobId("p-bwa"),
                "old-child", RunJobParams.of("kb_uploadmethods.x").withParentJobId("p-bwa")));
        JobCreation one = new RetryJobs(List.of("old-parent"), false, true);
        assertThat(Classifier.retriedJobIds(one)).containsExactly("old-parent");
        assertThat(Classifier.parentJobIds(one, retries)).containsExactly("p-bwa");
        assertThat(Classifier.classify(POLICY, one, "alice", ALICE_PARENTS, retries).jobClass())
                .isEqualTo(new Parent(1, "kb_Bowtie2", "p-bwa"));
        JobCreation unknown = new RetryJobs(List.of("gone"), false, true);
        assertThat(Classifier.classify(POLICY, unknown, "alice", ALICE_PARENTS, retries).jobClass())
                .isEqualTo(new Plain("unknown"));
        JobCreation several = new RetryJobs(List.of("old-parent", "old-child", "gone"), false, false);
        Classification c = Classifier.classify(POLICY, several, "alice", ALICE_PARENTS, retries);
        assertThat(c.jobClass()).isEqualTo(new Batch(List.of(new Parent(1, "kb_Bowtie2", "p-bwa"),
                new Child("p-bwa", "kb_uploadmethods"), new Plain("unknown")), true));
    }

    @Test
    void theLookupsNeededAreListedBeforeClassifying() {
        JobCreation batch = new RunJobBatch(List.of(RunJobParams.of("a.b").withParentJobId("x"), RunJobParams.of("c.d")), false);
        assertThat(Classifier.parentJobIds(batch, RetryLookup.NONE)).containsExactly("x");
        assertThat(Classifier.retriedJobIds(batch)).isEmpty();
    }

    @Test
    void theAppLabelIsTheModuleOfTheMethodElseOfTheAppId() {
        assertThat(Classifier.appLabel(RunJobParams.of(BOWTIE))).isEqualTo("kb_Bowtie2");
        assertThat(Classifier.appLabel(new RunJobParams(null, "kb_Bwa/run", null, false, JobRequirements.NONE)))
                .isEqualTo("kb_Bwa");
        assertThat(Classifier.appLabel(RunJobParams.of(null))).isEqualTo("unknown");
    }
}
