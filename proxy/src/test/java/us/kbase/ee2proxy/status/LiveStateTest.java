package us.kbase.ee2proxy.status;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;

/**
 * The model's bookkeeping of parallel apps and their children against a real in-memory ledger:
 * a child whose lease the ledger releases counts as finished, a finished parent goes with its
 * children, and the last minute's decisions are counted from the first second.
 */
class LiveStateTest {
    private final InMemorySlotLedger ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
    private final LiveState live = new LiveState(AdmissionPolicy::defaults, ledger, () -> "in-memory", Clock.systemUTC());

    @AfterEach
    void close() {
        ledger.close();
    }

    /** Takes and binds a lease as admission does for an admitted call, and tells the model. */
    private void admit(String ticket, JobClass c, SlotClaim claim, String jobId) {
        ledger.tryAcquire("ida", ticket, new SlotDemand(List.of(claim), SlotDemand.UNLIMITED, SlotDemand.UNLIMITED))
                .toCompletableFuture().join();
        ledger.bind("ida", ticket, List.of(jobId)).toCompletableFuture().join();
        live.bound(new Classification(c, "ida", List.of(claim), List.of(0)), List.of(jobId));
    }

    private Views.Children children(String parent) {
        return live.user("ida", false).parallelApps().stream().filter(a -> a.jobId().equals(parent)).findFirst()
                .orElseThrow().children();
    }

    @Test
    void aReleasedChildCountsAsFinishedAndAFinishedParentGoesWithItsChildren() {
        admit("t1", new JobClass.Parent(0, "kb_Bowtie2", null), SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        admit("t2", new JobClass.Child("p1", "kb_quast"), SlotClaim.job("kb_quast"), "c1");
        admit("t3", new JobClass.Child("p1", "kb_quast"), SlotClaim.job("kb_quast"), "c2");
        assertThat(counts(children("p1"))).containsExactly(0, 2, 0, 2, 0, 0, 0, 0);

        ledger.releaseJob("ida", "c1").toCompletableFuture().join();
        await("c1 counts as finished", () -> children("p1").finished() == 1);
        // Its end was not seen (only its lease went): ended, how not seen.
        assertThat(counts(children("p1"))).containsExactly(0, 1, 1, 1, 0, 0, 0, 1);
        assertThat(live.user("ida", false).slots().jobs()).isEqualTo(2);

        ledger.releaseJob("ida", "p1").toCompletableFuture().join();
        await("p1 is gone", () -> live.user("ida", false).parallelApps().isEmpty());
        assertThat(live.user("ida", false).slots().parallelApps()).isZero();
    }

    @Test
    void anEndedAppIsShownAmongTheFinishedWithItsChildrenAsTheyEnded() {
        admit("t1", new JobClass.Parent(0, "kb_Bowtie2", null), SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        admit("t2", new JobClass.Child("p1", "kb_quast"), SlotClaim.childOf("p1", "kb_quast"), "c1");
        admit("t3", new JobClass.Child("p1", "kb_quast"), SlotClaim.childOf("p1", "kb_quast"), "c2");
        live.progress("c1", "completed");
        live.progress("c2", "error");
        assertThat(live.user("ida", false).finishedApps()).isEmpty();

        ledger.releaseJob("ida", "c1").toCompletableFuture().join();
        ledger.releaseJob("ida", "c2").toCompletableFuture().join();
        ledger.releaseJob("ida", "p1").toCompletableFuture().join();
        await("p1 ended", () -> !live.user("ida", false).finishedApps().isEmpty());

        Views.User ida = live.user("ida", false);
        assertThat(ida.parallelApps()).isEmpty();
        Views.App p1 = ida.finishedApps().get(0);
        assertThat(p1.jobId()).isEqualTo("p1");
        assertThat(p1.ended()).isNotNull();
        assertThat(counts(p1.children())).containsExactly(0, 0, 2, 0, 0, 1, 1, 0);
        assertThat(p1.children().ids().done()).containsExactly("c1");
    }

    @Test
    void appsAndChildrenAnotherReplicaAdmittedAreShownFromTheSharedLedger() {
        // This replica admitted p1; "another replica" (the same ledger, the model not told) p2 and its children.
        admit("t1", new JobClass.Parent(0, "kb_Bowtie2", null), SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        elsewhere("t2", SlotClaim.parentAt(0, "kb_Bowtie2"), "p2");
        elsewhere("t3", SlotClaim.childOf("p2", "kb_quast"), "c1");
        elsewhere("t4", SlotClaim.childOf("p2", "kb_quast"), "c2");
        elsewhere("t5", SlotClaim.childOf("p1", "kb_quast"), "c3");
        assertThat(live.user("ida", false).parallelApps()).extracting(Views.App::jobId).containsExactly("p1");

        elsewhere("t6", SlotClaim.job("kb_uploadfile"), "j1");
        ledger.releaseJob("ida", "j1").toCompletableFuture().join(); // any release refreshes from the ledger
        await("p2 is shown", () -> live.user("ida", false).parallelApps().size() == 2);
        assertThat(counts(children("p2"))).containsExactly(0, 2, 0, 2, 0, 0, 0, 0);
        assertThat(counts(children("p1"))).as("p1's child admitted elsewhere").containsExactly(0, 1, 0, 1, 0, 0, 0, 0);
        assertThat(live.watches("c1")).as("its progress through this replica is recorded").isTrue();

        // A child seen ending here is not brought back by a ledger read that still holds its lease.
        live.progress("c1", "completed");
        elsewhere("t7", SlotClaim.job("kb_uploadfile"), "j2");
        ledger.releaseJob("ida", "j2").toCompletableFuture().join();
        await("the ledger's counts refreshed", () -> live.user("ida", false).slots().jobs() == 5);
        assertThat(counts(children("p2"))).containsExactly(0, 1, 1, 1, 0, 1, 0, 0);
    }

    /** Takes and binds a lease as another replica would: the model here is not told. */
    private void elsewhere(String ticket, SlotClaim claim, String jobId) {
        ledger.tryAcquire("ida", ticket, new SlotDemand(List.of(claim), SlotDemand.UNLIMITED, SlotDemand.UNLIMITED))
                .toCompletableFuture().join();
        ledger.bind("ida", ticket, List.of(jobId)).toCompletableFuture().join();
    }

    /** waiting, admitted, finished, queued, running, done, failed, endedUnseen. */
    private static List<Integer> counts(Views.Children c) {
        return List.of(c.waiting(), c.admitted(), c.finished(), c.queued(), c.running(), c.done(), c.failed(), c.endedUnseen());
    }

    @Test
    void aChildMovesOnlyForwardFromQueuedToRunningToItsFirstEnd() {
        admit("t1", new JobClass.Parent(0, "kb_Bowtie2", null), SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        admit("t2", new JobClass.Child("p1", "kb_quast"), SlotClaim.childOf("p1", "kb_quast"), "c1");
        admit("t3", new JobClass.Child("p1", "kb_quast"), SlotClaim.childOf("p1", "kb_quast"), "c2");
        admit("t4", new JobClass.Child("p1", "kb_quast"), SlotClaim.childOf("p1", "kb_quast"), "c3");
        assertThat(live.watches("c1")).isTrue();
        assertThat(live.watches("p1")).as("only children are watched").isFalse();

        live.progress("c1", "running");
        live.progress("c1", "queued"); // a stale read (the reconciler's, say): never back
        live.progress("c2", "running");
        assertThat(counts(children("p1"))).containsExactly(0, 3, 0, 1, 2, 0, 0, 0);
        assertThat(children("p1").ids().queued()).containsExactly("c3");
        assertThat(children("p1").ids().running()).containsExactly("c1", "c2");

        live.progress("c1", "completed");
        live.progress("c1", "error"); // its first end stands
        live.progress("c2", "error");
        live.progress("c3", "cancelled");
        live.progress("c3", "terminated");
        Views.Children c = children("p1");
        assertThat(counts(c)).containsExactly(0, 0, 3, 0, 0, 1, 2, 0);
        assertThat(c.failedHow()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("error", 1, "cancelled", 1));
        assertThat(c.ids().done()).containsExactly("c1");
        assertThat(c.ids().failed()).containsExactly(new Views.FailedChild("c3", "cancelled"),
                new Views.FailedChild("c2", "error"));
        assertThat(live.watches("c1")).as("an ended child is watched no more").isFalse();

        // Their leases go afterwards: they stay counted as they ended, not as ended unseen.
        ledger.releaseJob("ida", "c1").toCompletableFuture().join();
        ledger.releaseJob("ida", "c2").toCompletableFuture().join();
        await("the ledger's counts refreshed", () -> live.user("ida", false).slots().jobs() == 2);
        assertThat(counts(children("p1"))).containsExactly(0, 0, 3, 0, 0, 1, 2, 0);
    }

    @Test
    void progressSeenBeforeAChildsRunJobReplyIsAppliedWhenItIsBound() {
        admit("t1", new JobClass.Parent(0, "kb_Bowtie2", null), SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        assertThat(live.watches("c9")).as("no child admitted lately").isFalse();
        live.decided("ida", "t2", "admitted", new JobClass.Child("p1", "kb_quast"), "Your job was submitted.");
        assertThat(live.watches("c9")).as("a child's run_job is on its way").isTrue();
        live.progress("c9", "running"); // EE2 started it before its run_job reply came back
        admit("t2", new JobClass.Child("p1", "kb_quast"), SlotClaim.childOf("p1", "kb_quast"), "c9");
        assertThat(counts(children("p1"))).containsExactly(0, 1, 0, 0, 1, 0, 0, 0);
    }

    @Test
    void aCancelledAppStaysShownAfterItsEndWithWhatWasDoneToItsChildren() {
        admit("t1", new JobClass.Parent(0, "kb_Bowtie2", null), SlotClaim.parentAt(0, "kb_Bowtie2"), "p1");
        admit("t2", new JobClass.Child("p1", "kb_quast"), SlotClaim.childOf("p1", "kb_quast"), "c1");
        live.appCancelled("ida", "nope", 0, 0, false); // no parallel app of hers: nothing shown
        live.appCancelled("ida", "p1", 0, 0, false);
        live.appCancelled("ida", "p1", 3, 0, false);
        assertThat(live.childrenOf("ida", "p1")).containsExactly("c1");

        ledger.releaseJob("ida", "p1").toCompletableFuture().join();
        ledger.releaseJob("ida", "c1").toCompletableFuture().join();
        await("c1 counts as finished", () -> children("p1").finished() == 1);
        Views.App p1 = live.user("ida", false).parallelApps().get(0);
        assertThat(p1.jobId()).isEqualTo("p1");
        assertThat(p1.cancelled().waitingAnswered()).isEqualTo(3);
        assertThat(p1.cancelled().text()).contains("3 of its children waiting at the proxy answered")
                .contains("left to run");
        assertThat(live.user("ida", false).parallelApps()).extracting(Views.App::jobId).containsExactly("p1");
    }

    @Test
    void usersWithNothingRunningOrWaitingAreForgottenAfterAnHourOfQuiet() {
        MovableClock clock = new MovableClock();
        LiveState model = new LiveState(AdmissionPolicy::defaults, ledger, () -> "in-memory", clock);
        model.decided("quiet", "t1", "admitted", new JobClass.Plain("kb_quast"), "Your job was submitted.");
        model.decided("busy", "t2", "admitted", new JobClass.Parent(0, "kb_Bowtie2", null), "Your job was submitted.");
        model.bound(new Classification(new JobClass.Parent(0, "kb_Bowtie2", null), "busy",
                List.of(SlotClaim.parentAt(0, "kb_Bowtie2")), List.of(0)), List.of("p9"));

        clock.now = clock.now.plus(LiveState.KEEP_IDLE_USER.minusMinutes(1));
        model.sweep();
        assertThat(model.state().users()).extracting(Views.User::user).containsExactly("busy", "quiet");
        clock.now = clock.now.plusSeconds(120);
        model.sweep();
        assertThat(model.state().users()).extracting(Views.User::user).containsExactly("busy");
    }

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    @Test
    void decisionsOfTheLastMinuteAreCountedAtOnceAndForgottenAfterIt() {
        AtomicLong now = new AtomicLong(1_000);
        MinuteCount count = new MinuteCount(now::get);
        count.mark();
        count.mark();
        assertThat(count.lastMinute()).isEqualTo(2);
        now.addAndGet(59);
        count.mark();
        assertThat(count.lastMinute()).isEqualTo(3);
        now.addAndGet(1);
        assertThat(count.lastMinute()).isEqualTo(1);
        now.addAndGet(60);
        count.mark();
        assertThat(count.lastMinute()).isEqualTo(1);
    }
}
