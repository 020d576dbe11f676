package us.kbase.ee2proxy.policy.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.classify.JobClass.Parent;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;

/** The method admission reads is the one EE2's AppInfo runs (issue 16, item 4). */
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
    void aParallelAppSpacedAroundItsDotIsAParent() {
        RunJobParams spaced = RunJobParams.of("kb_BatchApp\u00a0. run_batch ");
        var c = Classifier.classify(AdmissionPolicy.defaults(), new JobCreation.RunJob(spaced, false), "alice",
                ParentLookup.NONE, RetryLookup.NONE);
        assertThat(c.jobClass()).isInstanceOf(Parent.class);
    }
}
