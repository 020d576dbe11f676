package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;

/**
 * What every {@link SlotLedger} does with a running app's children (issue 16 item 8): it counts
 * them by the parent their claim names and checks a demand's {@link ChildBound}s before the caps,
 * in the same atomic step. Part of {@link SlotLedgerContract} (through {@link LentReserveContract}), which every implementation runs.
 */
abstract class ChildBoundContract {
    static final Duration WAIT = Duration.ofSeconds(20);

    /** A fresh, empty ledger with the default lease terms, closed after the test. */
    abstract SlotLedger ledger();

    static <T> T get(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static SlotDemand childOf(String parent, int bound, int jobLimit) {
        return new SlotDemand(List.of(SlotClaim.childOf(parent, "kb_Bowtie2")), SlotDemand.UNLIMITED, jobLimit,
                List.of(new ChildBound(parent, bound)));
    }

    /** A parent's unfinished children are counted, and the bound checked first. */
    @Test
    void aParentsChildrenAreAdmittedUpToTheBoundWhichIsCheckedBeforeTheCaps() {
        SlotLedger ledger = ledger();
        for (int i = 0; i < 3; i++) {
            assertThat(get(ledger.tryAcquire("alice", "c" + i, childOf("p0", 3, 100))).admitted()).isTrue();
        }
        Admission fourth = get(ledger.tryAcquire("alice", "c3", childOf("p0", 3, 100)));
        assertThat(fourth.verdict()).isEqualTo(Admission.Verdict.CHILDREN_BOUND);
        assertThat(fourth.counts().jobs()).isEqualTo(3); // nothing taken
        // Over the job limit too: the bound says first that it is no child.
        assertThat(get(ledger.tryAcquire("alice", "c3", childOf("p0", 3, 1))).verdict())
                .isEqualTo(Admission.Verdict.CHILDREN_BOUND);
        // Another parent's children, another user's and a replay of an admitted ticket are not affected.
        assertThat(get(ledger.tryAcquire("alice", "d0", childOf("p1", 3, 100))).admitted()).isTrue();
        assertThat(get(ledger.tryAcquire("bob", "c0", childOf("p0", 3, 100))).admitted()).isTrue();
        assertThat(get(ledger.tryAcquire("alice", "c0", childOf("p0", 3, 100))).admitted()).isTrue();
        // A demand without the bound (a replayed write) takes its claim anyway, and it counts.
        assertThat(get(ledger.tryAcquire("alice", "x", childOf("p0", 3, 100).anyway())).admitted()).isTrue();
        assertThat(get(ledger.tryAcquire("alice", "c4", childOf("p0", 4, 100))).verdict())
                .isEqualTo(Admission.Verdict.CHILDREN_BOUND);
        assertThat(get(ledger.tryAcquire("alice", "c4", childOf("p0", 5, 100))).admitted()).isTrue();
    }

    @Test
    void anAttributedChildsBoundCountsEveryChildOfTheUser() {
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "n0", childOf("p0", 50, 100)));
        get(ledger.tryAcquire("alice", "n1", childOf("p1", 50, 100)));
        get(ledger.tryAcquire("alice", "plain", new SlotDemand(List.of(SlotClaim.job("kb_quast")), SlotDemand.UNLIMITED,
                SlotDemand.UNLIMITED)));
        assertThat(get(ledger.tryAcquire("alice", "a0", childOf(ChildBound.ATTRIBUTED, 3, 100))).admitted()).isTrue();
        assertThat(get(ledger.tryAcquire("alice", "a1", childOf(ChildBound.ATTRIBUTED, 3, 100))).verdict())
                .isEqualTo(Admission.Verdict.CHILDREN_BOUND);
        assertThat(get(ledger.tryAcquire("alice", "a1", childOf(ChildBound.ATTRIBUTED, 4, 100))).admitted()).isTrue();
        // A named parent's own bound counts only its own children.
        assertThat(get(ledger.tryAcquire("alice", "n2", childOf("p0", 2, 100))).admitted()).isTrue();
    }

    @Test
    void aChildStopsCountingAgainstItsParentWhenItsLeaseGoes() {
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "c0", childOf("p0", 2, 100)));
        get(ledger.tryAcquire("alice", "c1", childOf("p0", 2, 100)));
        assertThat(get(ledger.bind("alice", "c0", List.of("job-0")))).containsExactly("job-0");
        assertThat(get(ledger.tryAcquire("alice", "c2", childOf("p0", 2, 100))).verdict())
                .isEqualTo(Admission.Verdict.CHILDREN_BOUND);
        // Bound, its claim (and parent) is kept; finished, it no longer counts.
        assertThat(get(ledger.trackedJobs("alice"))).containsExactly(
                new TrackedJob("job-0", SlotClaim.childOf("p0", "kb_Bowtie2")));
        assertThat(get(ledger.releaseJob("alice", "job-0"))).isTrue();
        assertThat(get(ledger.tryAcquire("alice", "c2", childOf("p0", 2, 100))).admitted()).isTrue();
        // A provisional child given back (EE2 refused it) frees its place too.
        assertThat(get(ledger.releaseTicket("alice", "c1"))).isEqualTo(1);
        assertThat(get(ledger.tryAcquire("alice", "c3", childOf("p0", 2, 100))).admitted()).isTrue();
        // An adopted child (the reconciler) counts.
        get(ledger.adopt("alice", "job-9", SlotClaim.childOf("p0", "kb_Bowtie2")));
        assertThat(get(ledger.tryAcquire("alice", "c4", childOf("p0", 3, 100))).verdict())
                .isEqualTo(Admission.Verdict.CHILDREN_BOUND);
    }

    @Test
    void aChildsParentSurvivesTheLedgerWhateverItsIdAndAppHold() {
        SlotLedger ledger = ledger();
        List<SlotClaim> odd = List.of(SlotClaim.childOf("a:b", "c:d"), SlotClaim.childOf("a", "b:c:d"),
                SlotClaim.childOf(ChildBound.ATTRIBUTED, "kb_Bowtie2"), SlotClaim.childOf("\u00e9t\u00e9", "\u00e9:x"),
                SlotClaim.childOf("", "app"));
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < odd.size(); i++) {
            jobs.add("job-" + i);
        }
        get(ledger.tryAcquire("alice", "t", new SlotDemand(odd, SlotDemand.UNLIMITED, SlotDemand.UNLIMITED)));
        get(ledger.bind("alice", "t", jobs));
        assertThat(get(ledger.trackedJobs("alice")).stream().map(TrackedJob::claim).toList())
                .containsExactlyInAnyOrderElementsOf(odd);
        // "a:b"'s child is not "a"'s, whatever its app: one of each.
        assertThat(get(ledger.tryAcquire("alice", "u", childOf("a", 1, 100))).verdict())
                .isEqualTo(Admission.Verdict.CHILDREN_BOUND);
        assertThat(get(ledger.tryAcquire("alice", "u", childOf("a", 2, 100))).admitted()).isTrue();
        assertThat(get(ledger.tryAcquire("alice", "v", childOf("a:b", 2, 100))).admitted()).isTrue();
    }

    @Test
    void racingChildrenOfOneParentNeverExceedTheBound() throws Exception {
        SlotLedger ledger = ledger();
        int threads = 80;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Admission>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String ticket = "r" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return get(ledger.tryAcquire("alice", ticket, childOf("p0", 50, SlotDemand.UNLIMITED)));
                }));
            }
            start.countDown();
            int admitted = 0;
            for (Future<Admission> r : results) {
                Admission a = r.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                admitted += a.admitted() ? 1 : 0;
                assertThat(a.verdict()).isIn(Admission.Verdict.ADMITTED, Admission.Verdict.CHILDREN_BOUND);
            }
            assertThat(admitted).isEqualTo(50);
            assertThat(get(ledger.counts("alice")).jobs()).isEqualTo(50);
        } finally {
            pool.shutdownNow();
        }
    }
}
