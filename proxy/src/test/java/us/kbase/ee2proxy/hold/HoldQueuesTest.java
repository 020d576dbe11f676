package us.kbase.ee2proxy.hold;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;

/** The hold queues on the embedded ledger: who goes first after a release, and how a hold ends. */
class HoldQueuesTest {
    private static final Duration LONG = Duration.ofMinutes(5);

    private InMemorySlotLedger ledger;
    private HoldQueues holds;

    @BeforeEach
    void start() {
        ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
        holds = new HoldQueues(ledger, new HoldSettings(10, Duration.ofMinutes(1)));
    }

    @AfterEach
    void stop() {
        holds.close();
        ledger.close();
    }

    private static Classification parent() {
        return new Classification(new JobClass.Parent(0, "kb_Bowtie2", null), "ann",
                List.of(SlotClaim.parentAt(0, "kb_Bowtie2")), List.of(0));
    }

    /** A parallel app sent by ann's running one (nested): it goes before children. */
    private static Classification nestedParent() {
        return new Classification(new JobClass.Parent(1, "kb_concoct", "p1"), "ann",
                List.of(SlotClaim.parentAt(1, "kb_concoct")), List.of(0), true);
    }

    private static Classification child() {
        return new Classification(new JobClass.Child("p1", "kb_quast"), "ann", List.of(SlotClaim.job("kb_quast")), List.of(0));
    }

    private void take(String ticket, SlotClaim claim, String jobId) {
        ledger.tryAcquire("ann", ticket, new SlotDemand(List.of(claim), SlotDemand.UNLIMITED, SlotDemand.UNLIMITED));
        ledger.bind("ann", ticket, List.of(jobId));
    }

    @Test
    void aReleaseServesAHeldNestedAppBeforeAnOlderChildAndTheChildBeforeANewApp() throws Exception {
        take("t1", SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        take("t2", SlotClaim.job("kb_quast"), "c1");
        take("t3", SlotClaim.job("kb_quast"), "c2");
        // Each may run while A(u) < 3 (the parallel apps also while P(u) < 2, the new one P(u) < 3): none fits now.
        HeldCall newApp = holds.hold("ann", "new", parent(), new SlotDemand(parent().claims(), 3, 3), LONG)
                .waiting().orElseThrow();
        HeldCall child = holds.hold("ann", "child", child(), new SlotDemand(child().claims(), SlotDemand.UNLIMITED, 3), LONG)
                .waiting().orElseThrow();
        HeldCall nested = holds.hold("ann", "nested", nestedParent(), new SlotDemand(nestedParent().claims(), 2, 3), LONG)
                .waiting().orElseThrow();
        assertThat(holds.held()).isEqualTo(3);
        await("all are queued", () -> holds.queued("ann") == 3);

        ledger.releaseJob("c1"); // room for one of them only: the nested app goes first, its sender waits for it
        assertThat(nested.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.ADMITTED);
        assertThat(child.end().toCompletableFuture().isDone()).isFalse();
        assertThat(newApp.end().toCompletableFuture().isDone()).isFalse();

        ledger.releaseJob("c2"); // then the running app's child, before the new app (which fits too) that came first
        assertThat(child.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.ADMITTED);
        assertThat(newApp.end().toCompletableFuture().isDone()).isFalse();
        assertThat(holds.held()).isEqualTo(1);
        holds.refuse("ann", "new", "test over").toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(holds.held()).isZero();
    }

    @Test
    void aHeldChildWhoseParentHasReachedItsBoundEndsAtOnceToBeDecidedAgain() throws Exception {
        // p1 has 1 unfinished child (its bound, children.perParent 1) and ann a plain job: A(u) = 3.
        take("t1", SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        take("t2", SlotClaim.childOf("p1", "kb_Bowtie2"), "c1");
        take("t3", SlotClaim.job("kb_quast"), "q1");
        SlotDemand demand = new SlotDemand(List.of(SlotClaim.childOf("p1", "kb_Bowtie2")), SlotDemand.UNLIMITED, 3,
                List.of(new ChildBound("p1", 1)));
        HeldCall copy = holds.hold("ann", "copy", child(), demand, LONG).waiting().orElseThrow();
        await("queued", () -> holds.queued("ann") == 1);

        ledger.releaseJob("q1"); // the job limit fits now, the bound does not: it is no child of p1

        assertThat(copy.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.EXPIRED);
        assertThat(holds.held()).isZero();
        assertThat(ledger.counts("ann").toCompletableFuture().join().jobs()).isEqualTo(2); // nothing taken
    }

    @Test
    void anOperatorsReleaseAdmitsAWaitingCallOverTheCapAndARefusalTakesNothing() throws Exception {
        take("t1", SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        SlotDemand capOfOne = new SlotDemand(parent().claims(), 1, SlotDemand.UNLIMITED);
        HeldCall released = holds.hold("ann", "released", parent(), capOfOne, LONG).waiting().orElseThrow();
        HeldCall refused = holds.hold("ann", "refused", parent(), capOfOne, LONG).waiting().orElseThrow();
        await("both are queued", () -> holds.queued("ann") == 2);

        assertThat(holds.release("ann", "nosuch").toCompletableFuture().get(30, TimeUnit.SECONDS)).isFalse();
        assertThat(holds.release("ann", "released").toCompletableFuture().get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(released.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.ADMITTED);
        assertThat(ledger.counts("ann").toCompletableFuture().join().parents()).isEqualTo(2);

        assertThat(holds.refuse("ann", "refused", "split it").toCompletableFuture().get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.REFUSED);
        assertThat(refused.refusal()).isEqualTo("split it");
        assertThat(ledger.counts("ann").toCompletableFuture().join().parents()).isEqualTo(2);
        assertThat(holds.held()).isZero();
        assertThat(holds.refuse("ann", "refused", "again").toCompletableFuture().get(30, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void refuseWhereEndsOnlyThePickedCallsOfThatUserTakingNothing() throws Exception {
        take("t1", SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        take("t2", SlotClaim.job("kb_quast"), "c1");
        SlotDemand full = new SlotDemand(child().claims(), SlotDemand.UNLIMITED, 2);
        HeldCall mine = holds.hold("ann", "mine", child(), full, LONG).waiting().orElseThrow();
        Classification other = new Classification(new JobClass.Child("p2", "kb_quast"), "ann",
                List.of(SlotClaim.job("kb_quast")), List.of(0));
        HeldCall others = holds.hold("ann", "others", other, full, LONG).waiting().orElseThrow();
        await("both are queued", () -> holds.queued("ann") == 2);

        List<HeldCall> ended = holds.refuseWhere("ann", c -> c.classification().jobClass() instanceof JobClass.Child ch
                && "p1".equals(ch.parentJobId()), "its parallel app p1 was cancelled").toCompletableFuture()
                .get(30, TimeUnit.SECONDS);

        assertThat(ended).containsExactly(mine);
        assertThat(mine.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.REFUSED);
        assertThat(mine.refusal()).isEqualTo("its parallel app p1 was cancelled");
        assertThat(others.end().toCompletableFuture().isDone()).isFalse();
        assertThat(holds.held("ann")).isEqualTo(1);
        assertThat(ledger.counts("ann").toCompletableFuture().get().jobs()).as("nothing taken").isEqualTo(2);
        assertThat(holds.refuseWhere("bo", c -> true, "x").toCompletableFuture().get(30, TimeUnit.SECONDS)).isEmpty();

        ledger.releaseJob("c1"); // the other call is served as before
        assertThat(others.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.ADMITTED);
        assertThat(ledger.counts("ann").toCompletableFuture().get().jobs()).isEqualTo(2);
    }

    @Test
    void aChildMovedAheadByItsOwnerOrAnAdminIsServedBeforeOlderOnes() throws Exception {
        take("t1", SlotClaim.job("kb_quast"), "c1");
        SlotDemand demand = new SlotDemand(child().claims(), SlotDemand.UNLIMITED, 1);
        HeldCall older = holds.hold("ann", "older", child(), demand, LONG).waiting().orElseThrow();
        HeldCall newer = holds.hold("ann", "newer", child(), demand, LONG).waiting().orElseThrow();
        await("both are queued", () -> holds.queued("ann") == 2);

        assertThat(holds.move("ann", "newer", 1).toCompletableFuture().get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(holds.move("ann", "not-waiting", 1).toCompletableFuture().get(30, TimeUnit.SECONDS)).isFalse();
        assertThat(newer.priority()).isEqualTo(1);
        ledger.releaseJob("c1"); // room for one: the one moved ahead

        assertThat(newer.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.ADMITTED);
        assertThat(older.end().toCompletableFuture().isDone()).isFalse();
        older.drop();
    }

    @Test
    void aHoldEndsExpiredAfterItsTimeAndADroppedOneNeverTakesASlot() throws Exception {
        take("t1", SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        SlotDemand demand = new SlotDemand(parent().claims(), 1, SlotDemand.UNLIMITED);
        HeldCall brief = holds.hold("ann", "brief", parent(), demand, Duration.ofMillis(200)).waiting().orElseThrow();
        HeldCall dropped = holds.hold("ann", "dropped", parent(), demand, LONG).waiting().orElseThrow();

        assertThat(brief.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.EXPIRED);
        await("both are queued", () -> holds.queued("ann") == 2 || brief.end().toCompletableFuture().isDone());
        dropped.drop();
        await("the dropped call left its queue", () -> holds.held() == 0 && holds.queued("ann") == 0);
        ledger.releaseJob("p1");
        HeldCall later = holds.hold("ann", "later", parent(), demand, LONG).waiting().orElseThrow();

        // Had the dropped call taken the one parent slot, the later one could not have.
        assertThat(later.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.ADMITTED);
        assertThat(ledger.counts("ann").toCompletableFuture().get().parents()).isEqualTo(1);
    }

    @Test
    void stopHoldingEndsEveryHoldAndEveryLaterOneStoppedTakingNothing() throws Exception {
        take("t1", SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        SlotDemand demand = new SlotDemand(parent().claims(), 1, SlotDemand.UNLIMITED);
        HeldCall waiting = holds.hold("ann", "waiting", parent(), demand, LONG).waiting().orElseThrow();
        await("it is queued", () -> holds.queued("ann") == 1);

        holds.stopHolding();

        assertThat(waiting.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.STOPPED);
        HeldCall later = holds.hold("ann", "later", parent(), demand, LONG).waiting().orElseThrow();
        assertThat(later.end().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(HoldEnd.STOPPED);
        assertThat(holds.held()).isZero();
        ledger.releaseJob("p1"); // a release wakes nobody: neither takes the freed slot
        Thread.sleep(200);
        assertThat(ledger.counts("ann").toCompletableFuture().get().parents()).isZero();
    }

    @Test
    void oneUserCannotTakeEveryPlaceButACallThatMayBeAKbParallelChildHasAReserve() throws Exception {
        HoldQueues bounded = new HoldQueues(ledger, new HoldSettings(10, 2, Duration.ofMinutes(1)));
        try {
            SlotDemand never = new SlotDemand(parent().claims(), 0, SlotDemand.UNLIMITED);
            Classification nested = new Classification(new JobClass.Parent(1, "kb_concoct", "p1"), "ann",
                    List.of(SlotClaim.parentAt(1, "kb_concoct")), List.of(0));
            HeldCall first = bounded.hold("ann", "a", parent(), never, LONG).waiting().orElseThrow();
            bounded.hold("ann", "b", parent(), never, LONG).waiting().orElseThrow();

            assertThat(bounded.hold("ann", "c", parent(), never, LONG)).isEqualTo(new Place.Full(Place.Bound.THIS_USER, 2));
            HeldCall nestedApp = bounded.hold("ann", "d", nested, never, LONG).waiting().orElseThrow();
            HeldCall aChild = bounded.hold("ann", "e", child(), never, LONG).waiting().orElseThrow();
            assertThat(bounded.hold("bob", "f", parent(), never, LONG).waiting()).as("another user").isPresent();
            assertThat(bounded.held("ann")).isEqualTo(4);

            // Every waiting call of the user counts: room comes back only below the bound.
            first.drop();
            nestedApp.drop();
            aChild.drop();
            await("the dropped calls no longer count", () -> bounded.held("ann") == 1);
            assertThat(bounded.hold("ann", "g", parent(), never, LONG).waiting()).as("room again").isPresent();
            assertThat(bounded.held()).isEqualTo(3);
        } finally {
            bounded.close();
        }
    }

    @Test
    void beyondTheCapNothingIsHeld() {
        HoldQueues small = new HoldQueues(ledger, new HoldSettings(1, Duration.ofMinutes(1)));
        try {
            SlotDemand demand = new SlotDemand(parent().claims(), 0, SlotDemand.UNLIMITED);
            assertThat(small.hold("ann", "a", parent(), demand, LONG).waiting()).isPresent();
            assertThat(small.hold("ann", "b", parent(), demand, LONG))
                    .isEqualTo(new Place.Full(Place.Bound.ALL_USERS, 1));
            assertThat(small.held()).isEqualTo(1);
        } finally {
            small.close();
        }
    }
}
