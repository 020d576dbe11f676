package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.JobClass.Batch;
import us.kbase.ee2proxy.policy.classify.JobClass.Parent;
import us.kbase.ee2proxy.policy.classify.JobClass.Plain;
import us.kbase.ee2proxy.policy.request.JobCreation.RetryJobs;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * Issue 16, item 6: a retry whose job could not be looked up (EE2 too slow or unreachable) fails
 * closed, as a parallel app at depth 0, the strictest class it could be; a job EE2 will not show
 * the caller stays plain (EE2 refuses that retry too).
 */
class RetryLookupFailureTest {
    static final AdmissionPolicy POLICY = AdmissionPolicy.defaults();

    static CallClassifier.Classified classify(RetriedJob answer, List<String> ids) {
        RetriedJobs lookup = (token, jobId, asAdmin) -> CompletableFuture.completedFuture(answer);
        try (InMemorySlotLedger ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT)) {
            return new CallClassifier(ledger, lookup)
                    .classify(POLICY, new RetryJobs(ids, false, ids.size() == 1), "tok", "alice")
                    .toCompletableFuture().join();
        }
    }

    @Test
    void aRetryOfAJobThatCouldNotBeLookedUpIsAParallelApp() {
        CallClassifier.Classified c = classify(new RetriedJob.Unknown("check_job took longer than 10 s"), List.of("j1"));
        assertThat(c.classification().jobClass()).isEqualTo(new Parent(0, "unknown", null));
        assertThat(c.classification().claims()).containsExactly(SlotClaim.parentAt(0, "unknown"));
    }

    @Test
    void aRetryOfSeveralJobsThatCouldNotBeLookedUpCountsEachAsAParallelApp() {
        CallClassifier.Classified c = classify(new RetriedJob.Unknown("EE2 unreachable"), List.of("j1", "j2"));
        assertThat(((Batch) c.classification().jobClass()).parents()).isEqualTo(2);
    }

    @Test
    void aRetryOfAJobEe2WillNotShowIsPlainAndOfAFoundJobTakesItsClass() {
        assertThat(classify(new RetriedJob.NotFound(-32000, "Cannot find job"), List.of("j1")).classification().jobClass())
                .isEqualTo(new Plain("unknown"));
        assertThat(classify(new RetriedJob.Found(RunJobParams.of("kb_Bowtie2.align_reads_to_assembly_app")), List.of("j1"))
                .classification().jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
    }
}
