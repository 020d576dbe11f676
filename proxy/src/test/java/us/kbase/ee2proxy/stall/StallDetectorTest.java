package us.kbase.ee2proxy.stall;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import com.codahale.metrics.MetricRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.StallConfig;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.status.LiveState;
import us.kbase.ee2proxy.status.Views;

/**
 * The threshold and the episodes on an injected clock, over a live state fed as admission feeds it
 * (a real in-memory ledger takes and binds every lease, past the caps, as in shadow mode): ida has
 * 4 slots, and four kb_Bowtie2 apps with one child each.
 */
class StallDetectorTest {
    private static final Duration AFTER = Duration.ofMinutes(10);

    private final MovableClock clock = new MovableClock();
    private final InMemorySlotLedger ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
    private final AdmissionPolicy policy = parse("slots: 4\nparents:\n  maxPerUser: 1\n  maxNestingDepth: 1\n");
    private final LiveState live = new LiveState(() -> policy, ledger, () -> "in-memory", clock);
    private final MetricRegistry registry = new MetricRegistry();
    private final StallDetector detector = new StallDetector(live, new StallConfig(AFTER, Duration.ofSeconds(30)), clock,
            registry);

    @AfterEach
    void close() {
        detector.close();
        ledger.close();
    }

    @Test
    void reportsAUserOnlyAfterTheThresholdAndOncePerEpisode() {
        appsWithAChildEach();
        assertThat(detector.check()).isEmpty();
        clock.move(AFTER.minusSeconds(1));
        assertThat(detector.check()).as("not yet").isEmpty();
        clock.move(Duration.ofSeconds(1));

        List<Views.Stall> stalls = detector.check();
        assertThat(stalls).hasSize(1);
        Views.Stall s = stalls.get(0);
        assertThat(s.user()).isEqualTo("ida");
        assertThat(s.parallelApps()).isEqualTo(4);
        assertThat(s.apps()).extracting(Views.StalledApp::jobId).containsExactlyInAnyOrder("p1", "p2", "p3", "p4");
        assertThat(s.stalledSeconds()).isEqualTo(AFTER.toSeconds());
        assertThat(s.text()).startsWith("ida: all 4 slots are taken by 4 parallel apps (kb_Bowtie2 x4) whose 4 children");
        assertThat(live.state().stalls()).containsExactly(s);
        assertThat(gauge()).isEqualTo(1);

        clock.move(Duration.ofMinutes(5));
        assertThat(detector.check()).hasSize(1);
        assertThat(episodes()).as("one episode, reported once").isEqualTo(1);
    }

    @Test
    void aFinishedChildRestartsTheClock() {
        appsWithAChildEach();
        detector.check();
        clock.move(AFTER.minusSeconds(1));
        detector.check();
        ledger.releaseJob("ida", "c1").toCompletableFuture().join();
        await("c1 counts as finished", () -> finished() == 1);
        assertThat(detector.check()).as("progress").isEmpty();
        clock.move(Duration.ofSeconds(1));
        assertThat(detector.check()).as("the threshold counts from the progress").isEmpty();
        clock.move(AFTER);
        assertThat(detector.check()).hasSize(1);
    }

    @Test
    void theEpisodeEndsWhenAParallelAppFinishes() {
        appsWithAChildEach();
        detector.check();
        clock.move(AFTER);
        assertThat(detector.check()).hasSize(1);

        ledger.releaseJob("ida", "p1").toCompletableFuture().join();
        await("p1 is gone", () -> live.user("ida", true).parallelApps().size() == 3);
        assertThat(detector.check()).isEmpty();
        assertThat(gauge()).isZero();
        assertThat(live.state().stalls()).isEmpty();
        assertThat(episodes()).isEqualTo(1);
    }

    @Test
    void appsWithoutChildrenAreNotStalled() {
        for (int i = 1; i <= 4; i++) {
            admit("t" + i, new JobClass.Parent(0, "kb_Bowtie2", null), SlotClaim.parentAt(0, "kb_Bowtie2"), "p" + i);
        }
        detector.check();
        clock.move(AFTER.multipliedBy(3));
        assertThat(detector.check()).as("still setting up: nothing waits for a slot").isEmpty();
    }

    @Test
    void aPlainJobNamedAsParentIsAnUnlistedParallelAppWithTheLineToAdd() {
        for (int i = 1; i <= 4; i++) {
            admit("tj" + i, new JobClass.Plain("kb_mystery"), SlotClaim.job("kb_mystery"), "j" + i);
        }
        for (int i = 1; i <= 4; i++) {
            admit("tc" + i, new JobClass.Child("j" + i, "kb_quast"), SlotClaim.job("kb_quast"), "c" + i);
        }

        assertThat(live.fanOuts()).singleElement().satisfies(f -> {
            assertThat(f.app()).isEqualTo("kb_mystery");
            assertThat(f.jobId()).isEqualTo("j1");
            assertThat(f.line()).isEqualTo("- kb_mystery");
        });
        detector.check();
        clock.move(AFTER);
        Views.Stall s = detector.check().get(0);
        assertThat(s.parallelApps()).as("P(u)=0 from the ledger, plus the four seen fanning out").isEqualTo(4);
        assertThat(s.missingFromParentsApps()).containsExactly("kb_mystery");
        assertThat(s.text()).contains("Missing from parents.apps: kb_mystery (add `- kb_mystery`)");
    }

    private void appsWithAChildEach() {
        for (int i = 1; i <= 4; i++) {
            admit("tp" + i, new JobClass.Parent(0, "kb_Bowtie2", null), SlotClaim.parentAt(0, "kb_Bowtie2"), "p" + i);
            admit("tc" + i, new JobClass.Child("p" + i, "kb_Bowtie2"), SlotClaim.childOf("p" + i, "kb_Bowtie2"), "c" + i);
        }
    }

    /** Takes and binds a lease as admission does for an admitted call, and tells the model. */
    private void admit(String ticket, JobClass c, SlotClaim claim, String jobId) {
        var taken = ledger.tryAcquire("ida", ticket, new SlotDemand(List.of(claim), SlotDemand.UNLIMITED,
                SlotDemand.UNLIMITED)).toCompletableFuture().join();
        live.counts("ida", taken.counts());
        ledger.bind("ida", ticket, List.of(jobId)).toCompletableFuture().join();
        live.bound(new Classification(c, "ida", List.of(claim), List.of(0)), List.of(jobId));
    }

    private int finished() {
        return live.user("ida", true).parallelApps().stream().mapToInt(a -> a.children().finished()).sum();
    }

    private long episodes() {
        return registry.counter("ee2proxy.stall.episodes").getCount();
    }

    private int gauge() {
        return (Integer) registry.getGauges().get("ee2proxy.stall.users").getValue();
    }

    private static AdmissionPolicy parse(String yaml) {
        try {
            return PolicyLoader.parse(yaml, "test");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-04T10:00:00Z");

        void move(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
