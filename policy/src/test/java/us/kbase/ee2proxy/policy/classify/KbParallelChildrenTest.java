package us.kbase.ee2proxy.policy.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.JobClass.Child;
import us.kbase.ee2proxy.policy.classify.JobClass.Exempt;
import us.kbase.ee2proxy.policy.classify.JobClass.Parent;
import us.kbase.ee2proxy.policy.classify.JobClass.Plain;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJob;
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * The real KBParallel (0.4.3, {@code Job.run_remotely}) sends a child with {@code parent_job_id:
 * null}, {@code app_id} the module alone and a {@code remote_url} key (EE2-PROTOCOL.md): such a call
 * is a child of the user's running parallel app, never a new parent, and is never refused.
 */
class KbParallelChildrenTest {
    static final AdmissionPolicy POLICY = AdmissionPolicy.defaults();
    static final String SAMPLE_SET_APP = "kb_Bowtie2.align_reads_to_assembly_app";
    static final String WORKER = "kb_Bowtie2.align_one_reads_to_assembly";

    static RunJobParams kbParallel(String method) {
        return new RunJobParams(method, method.substring(0, method.indexOf('.')), null, false, JobRequirements.NONE,
                true);
    }

    static Classification classify(RunJobParams job, List<ActiveParent> running) {
        return Classifier.classify(POLICY, new RunJob(job, false), "alice", ParentLookup.of("alice", Map.of(), running),
                RetryLookup.NONE);
    }

    static ActiveParent running(String id, int depth, String app) {
        return new ActiveParent(id, SlotClaim.parentAt(depth, app));
    }

    @Test
    void aWorkerSentByKbParallelWhileItsAppRunsIsAChildOfThatAppNeverAParent() {
        Classification c = classify(kbParallel(WORKER), List.of(running("p1", 0, "kb_Bowtie2")));
        assertThat(c.jobClass()).isEqualTo(new Child("p1", "kb_Bowtie2"));
        // Attributed without parent_job_id: it counts against all of the user's running apps.
        assertThat(c.claims()).containsExactly(SlotClaim.childOf(ChildBound.ATTRIBUTED, "kb_Bowtie2"));
        assertThat(c.fromParallelApp()).isTrue();
    }

    @Test
    void eitherMarkAloneIsKbParallelsShape() {
        List<ActiveParent> bowtie = List.of(running("p1", 0, "kb_Bowtie2"));
        RunJobParams onlyRemoteUrl = new RunJobParams(WORKER, null, null, false, JobRequirements.NONE, true);
        RunJobParams onlyModuleAppId = new RunJobParams(WORKER, "kb_Bowtie2", null, false, JobRequirements.NONE, false);
        assertThat(classify(onlyRemoteUrl, bowtie).jobClass()).isInstanceOf(Child.class);
        assertThat(classify(onlyModuleAppId, bowtie).jobClass()).isInstanceOf(Child.class);
    }

    @Test
    void theSameAppFromTheNarrativeStaysAParentEvenWhileOneRuns() {
        // The narrative sends app_id "Module/app" and no remote_url.
        RunJobParams narrative = new RunJobParams(SAMPLE_SET_APP, "kb_Bowtie2/align_reads_to_assembly_app", null, false,
                JobRequirements.NONE);
        Classification c = classify(narrative, List.of(running("p1", 0, "kb_Bowtie2")));
        assertThat(c.jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
        assertThat(c.fromParallelApp()).isFalse();
    }

    @Test
    void withoutARunningParallelAppTheShapeEarnsNothing() {
        assertThat(classify(kbParallel(SAMPLE_SET_APP), List.of()).jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
        assertThat(classify(kbParallel("kb_quast.run"), List.of()).jobClass()).isEqualTo(new Plain("kb_quast"));
        assertThat(classify(kbParallel("kb_quast.run"), List.of()).fromParallelApp()).isFalse();
    }

    @Test
    void aTaskOfAnotherModuleIsAChildOfTheDeepestRunningApp() {
        Classification c = classify(kbParallel("kb_quast.run_QUAST"),
                List.of(running("p0", 0, "kb_BatchApp"), running("p1", 1, "kb_hisat2")));
        assertThat(c.jobClass()).isEqualTo(new Child("p1", "kb_quast"));
    }

    @Test
    void aParallelAppOfAnotherModuleSentByKbParallelIsNestedUnderTheDeepestAppOfAnotherModule() {
        // kb_BatchApp (depth 0) running a kb_Bowtie2 sample-set app as one of its tasks.
        Classification c = classify(kbParallel("kb_hisat2.run_hisat2_app"),
                List.of(running("p0", 0, "kb_BatchApp"), running("p1", 1, "kb_Bowtie2")));
        assertThat(c.jobClass()).isEqualTo(new Parent(2, "kb_hisat2", "p1"));
        assertThat(c.fromParallelApp()).isTrue();
    }

    @Test
    void aMethodListedByNameIsTheAppItselfNotAWorkerOfItsModule() {
        AdmissionPolicy byMethod = POLICY.toBuilder().parallelApps(List.of(SAMPLE_SET_APP, "kb_BatchApp.run_batch")).build();
        List<ActiveParent> running = List.of(running("p0", 0, "kb_BatchApp"), running("p1", 1, "kb_Bowtie2"));
        Classification app = Classifier.classify(byMethod, new RunJob(kbParallel(SAMPLE_SET_APP), false), "alice",
                ParentLookup.of("alice", Map.of(), running), RetryLookup.NONE);
        Classification worker = Classifier.classify(byMethod, new RunJob(kbParallel(WORKER), false), "alice",
                ParentLookup.of("alice", Map.of(), running), RetryLookup.NONE);
        assertThat(app.jobClass()).isEqualTo(new Parent(1, "kb_Bowtie2", "p0"));
        assertThat(worker.jobClass()).isEqualTo(new Child("p1", "kb_Bowtie2"));
    }

    @Test
    void anotherUsersRunningAppsEarnNothing() {
        Classification c = Classifier.classify(POLICY, new RunJob(kbParallel(WORKER), false), "bob",
                ParentLookup.of("alice", Map.of(), List.of(running("p1", 0, "kb_Bowtie2"))), RetryLookup.NONE);
        assertThat(c.jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
    }

    @Test
    void aConciergeCallIsExemptOnlyWithTruthyConciergeParams() {
        // The sniffer sets concierge only for truthy concierge params; otherwise EE2 runs a normal job.
        Classification asRunJob = Classifier.classify(POLICY, new RunJob(RunJobParams.of(SAMPLE_SET_APP), false), "alice",
                ParentLookup.NONE, RetryLookup.NONE);
        Classification concierge = Classifier.classify(POLICY, new RunJob(RunJobParams.of(SAMPLE_SET_APP), true), "alice",
                ParentLookup.NONE, RetryLookup.NONE);
        assertThat(asRunJob.jobClass()).isInstanceOf(Parent.class);
        assertThat(concierge.jobClass()).isInstanceOf(Exempt.class);
    }

    @Test
    void theMethodIsReadAsEe2StripsIt() {
        assertThat(RunJobParams.of(" kb_Bowtie2.align\t\n").method()).isEqualTo("kb_Bowtie2.align");
        assertThat(RunJobParams.of("\u00a0kb_Bowtie2.align\u2007\u0085").method()).isEqualTo("kb_Bowtie2.align");
        assertThat(RunJobParams.of("kb_Bowtie2.align\u200b").method()).isEqualTo("kb_Bowtie2.align\u200b");
        assertThat(classify(RunJobParams.of(" " + SAMPLE_SET_APP + " "), List.of()).jobClass()).isInstanceOf(Parent.class);
    }

    @Test
    void anAppIdEntryMatchesEveryFormEe2AcceptsAndTheMethodItRuns() {
        AdmissionPolicy concoct = POLICY.toBuilder().parallelApps(List.of("kb_concoct/run_concoct")).build();
        for (RunJobParams job : List.of(
                new RunJobParams("kb_concoct.run_concoct", null, null, false, JobRequirements.NONE),
                new RunJobParams("kb_concoct.run_concoct", "kb_concoct", null, false, JobRequirements.NONE),
                new RunJobParams("kb_concoct.run_concoct", "kb_concoct.run_concoct", null, false, JobRequirements.NONE),
                new RunJobParams("kb_concoct.run_concoct", "kb_concoct/run_concoct", null, false, JobRequirements.NONE),
                new RunJobParams("kb_concoct.other", "kb_concoct.run_concoct", null, false, JobRequirements.NONE))) {
            assertThat(concoct.isParallelApp(job)).as("%s", job).isTrue();
        }
        assertThat(concoct.isParallelApp(new RunJobParams("kb_concoct.other", "kb_concoct", null, false,
                JobRequirements.NONE))).isFalse();
    }
}
