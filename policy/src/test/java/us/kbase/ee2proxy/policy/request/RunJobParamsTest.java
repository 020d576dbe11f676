package us.kbase.ee2proxy.policy.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.AppPattern;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.classify.JobClass.Parent;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;

/** The method and app id admission reads are the ones EE2's AppInfo reads (issue 16, items 3 and 4). */
class RunJobParamsTest {

    @Test
    void theMethodIsStrippedAsAWholeAndOnEachSideOfItsDotAsPythonStripsIt() {
        assertThat(RunJobParams.of(" kb_Bowtie2.align ").method()).isEqualTo("kb_Bowtie2.align");
        assertThat(RunJobParams.of("kb_Bowtie2 . align").method()).isEqualTo("kb_Bowtie2.align");
        assertThat(RunJobParams.of("\u001ckb_BatchApp\u00a0.  run_batch").method()).isEqualTo("kb_BatchApp.run_batch");
        assertThat(RunJobParams.of("\u001ckb_BatchApp\u00a0.  run_batch").module()).isEqualTo("kb_BatchApp");
        assertThat(RunJobParams.of("kb_Bowtie2\u2028.\u3000align\u0085").method()).isEqualTo("kb_Bowtie2.align");
    }

    @Test
    void aMethodEe2RefusesIsOnlyStripped() {
        // No dot, or more than one: EE2 answers an error and creates nothing, whatever the proxy reads.
        assertThat(RunJobParams.of(" kb_Bowtie2 ").method()).isEqualTo("kb_Bowtie2");
        assertThat(RunJobParams.of(" a . b . c ").method()).isEqualTo("a . b . c");
        assertThat(RunJobParams.of(null).method()).isNull();
        // Characters Python's strip keeps stay: the zero-width space is not whitespace to Python.
        assertThat(RunJobParams.of("kb_Bowtie2\u200b.align").method()).isEqualTo("kb_Bowtie2\u200b.align");
    }

    @Test
    void theAppIdIsStrippedAsAWholeAndOnEachSideOfItsSeparator() {
        assertThat(withAppId(" kb_concoct / run_concoct\u00a0")).isEqualTo("kb_concoct/run_concoct");
        assertThat(withAppId("\u2003kb_concoct . run_concoct")).isEqualTo("kb_concoct.run_concoct");
        assertThat(withAppId(" kb_Bowtie2 ")).isEqualTo("kb_Bowtie2");
        assertThat(withAppId(" ")).isEmpty();
        assertThat(withAppId(null)).isNull();
        assertThat(withAppId(" a / b . c ")).as("both separators: EE2 refuses it").isEqualTo("a/b . c");
    }

    @Test
    void anAppEntryMatchesItsAppIdAsEe2ReadsIt() {
        AppPattern app = AppPattern.of("kb_concoct/run_concoct");
        assertThat(app.matches(new RunJobParams("kb_concoct.concoct_stats", " kb_concoct / run_concoct ", null, false,
                JobRequirements.NONE))).isTrue();
        assertThat(app.matches(new RunJobParams("kb_concoct.concoct_stats", "kb_concoct .run_concoct\u00a0", null, false,
                JobRequirements.NONE))).isTrue();
        assertThat(app.matches(new RunJobParams("kb_concoct.concoct_stats", " kb_concoct / concoct_stats", null, false,
                JobRequirements.NONE))).isFalse();
    }

    private static String withAppId(String appId) {
        return new RunJobParams("kb_concoct.run_concoct", appId, null, false, JobRequirements.NONE).appId();
    }

    @Test
    void aParallelAppSpacedAroundItsDotIsAParent() {
        RunJobParams spaced = RunJobParams.of("kb_BatchApp\u00a0. run_batch ");
        var c = Classifier.classify(AdmissionPolicy.defaults(), new JobCreation.RunJob(spaced, false), "alice",
                ParentLookup.NONE, RetryLookup.NONE);
        assertThat(c.jobClass()).isInstanceOf(Parent.class);
    }
}
