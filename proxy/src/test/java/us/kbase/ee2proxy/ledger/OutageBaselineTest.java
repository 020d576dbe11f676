package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.UserCounts;

class OutageBaselineTest {
    private static final SlotClaim BOWTIE = SlotClaim.parentAt(0, "kb_Bowtie2");
    private final OutageBaseline baseline = new OutageBaseline(Duration.ofHours(1), Duration.ofDays(8));

    @Test
    void anOlderAnswerArrivingLateDoesNotLowerTheCounts() {
        baseline.seen("alice", new UserCounts(5, 5, Map.of("kb_Bowtie2", 5)), 2_000);
        baseline.seen("alice", new UserCounts(4, 4, Map.of("kb_Bowtie2", 4)), 1_000);
        assertThat(baseline.of("alice").parents()).isEqualTo(5);
        baseline.seen("alice", new UserCounts(3, 3, Map.of("kb_Bowtie2", 3)), 3_000);
        assertThat(baseline.of("alice").parents()).isEqualTo(3);
    }

    @Test
    void aJobBoundHereIsSubtractedOnceWhenItFinishesDuringTheOutage() {
        baseline.seen("alice", new UserCounts(2, 2, Map.of("kb_Bowtie2", 2)), 1_000);
        baseline.bound("alice", "job-1", BOWTIE);
        baseline.jobReleased("job-1");
        baseline.jobReleased("job-1");
        assertThat(baseline.of("alice")).isEqualTo(new UserCounts(1, 1, Map.of("kb_Bowtie2", 1)));
    }

    @Test
    void leasesMovedIntoRedisCountForAUserRedisNeverDescribed() {
        baseline.add("carol", List.of(BOWTIE), +1);
        assertThat(baseline.of("carol")).isEqualTo(new UserCounts(1, 1, Map.of("kb_Bowtie2", 1)));
        baseline.seen("carol", UserCounts.ZERO, 5);
        assertThat(baseline.of("carol")).isEqualTo(UserCounts.ZERO);
    }

    @Test
    void parentClaimsAreKnownOnlyForTheirOwnUserAndOnlyForParents() {
        baseline.bound("alice", "job-1", BOWTIE);
        baseline.bound("alice", "job-2", new SlotClaim(false, 0, "kb_quast"));
        assertThat(baseline.parentClaim("alice", "job-1")).contains(BOWTIE);
        assertThat(baseline.parentClaim("bob", "job-1")).isEmpty();
        assertThat(baseline.parentClaim("alice", "job-2")).isEmpty();
    }
}
