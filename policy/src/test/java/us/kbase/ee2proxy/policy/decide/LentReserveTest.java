package us.kbase.ee2proxy.policy.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.policy.decide.AdmissionTest.FIVE;
import static us.kbase.ee2proxy.policy.decide.AdmissionTest.batch;
import static us.kbase.ee2proxy.policy.decide.AdmissionTest.call;
import static us.kbase.ee2proxy.policy.decide.AdmissionTest.child;
import static us.kbase.ee2proxy.policy.decide.AdmissionTest.parent;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.Mode;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.decide.Decision.Admit;
import us.kbase.ee2proxy.policy.decide.Decision.Hold;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJob;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * {@code children.reserveFor}: the reserve is kept only while the user's own last job-creating call
 * is recent, and lent to children otherwise. The ledger records the own calls and says which
 * ({@link UserCounts#ownCallRecent()}); these tests pin what the policy asks of it and decides.
 */
class LentReserveTest {
    /** KBase's limits with the reserve kept for 10 minutes after the user's own last call. */
    private static final Limits TEN_MINUTES = Limits.KBASE.withChildrenReserveFor(Duration.ofMinutes(10));
    private static final EffectivePolicy LENDING = new EffectivePolicy("alice", Mode.ENFORCE, TEN_MINUTES, false, "lab");

    private static UserCounts present(int jobs) {
        return new UserCounts(5, jobs, FIVE, true);
    }

    private static UserCounts away(int jobs) {
        return new UserCounts(5, jobs, FIVE, false);
    }

    private static Classification plain() {
        return call(new RunJob(RunJobParams.of("kb_uploadmethods.x"), false));
    }

    @Test
    void aChildTakesTheReservedSlotOnlyWhileTheUserIsAway() {
        // slots 10, reserve 1, maxQueued 0: 9 jobs with the reserve kept, 10 with it lent.
        assertThat(TEN_MINUTES.childJobLimit()).isEqualTo(9);
        assertThat(TEN_MINUTES.lentChildJobLimit()).isEqualTo(10);
        Hold kept = (Hold) Admission.decide(LENDING, present(9), child(), Duration.ZERO);
        assertThat(kept.reason().adminMessage()).isEqualTo("hold kb_uploadmethods job: A(u)=9 >= slots -"
                + " children.reserve + children.maxQueued (reserve kept: an own call within children.reserveFor) = 9;"
                + " held up to 15m, then admitted (aging); user alice (override lab)");
        assertThat(kept.reason().rule()).isEqualTo("children.reserveFor");
        // Decided again when the reserve is lent, which no release announces; the text keeps the whole wait.
        Hold soonLent = (Hold) Admission.decide(LENDING, new UserCounts(5, 9, FIVE, 90_000), child(), Duration.ZERO);
        assertThat(soonLent.atMost()).isEqualTo(Duration.ofSeconds(90));
        assertThat(soonLent.reason().userMessage()).contains("waits at most 15 minutes");
        assertThat(kept.atMost()).isEqualTo(Duration.ofMinutes(15));
        assertThat(kept.reason().userMessage()).contains("you submitted one recently, so a job slot is kept free");
        Admit lent = (Admit) Admission.decide(LENDING, away(9), child(), Duration.ZERO);
        assertThat(lent.reason().adminMessage()).isEqualTo("admit kb_uploadmethods job: A(u)=9 < slots +"
                + " children.maxQueued = 10 (reserve lent: no own call within children.reserveFor); user alice (override lab)");
        // Lent, the reserved slot is the last: the child after it waits, and says why.
        Hold full = (Hold) Admission.decide(LENDING, away(10), child(), Duration.ZERO);
        assertThat(full.reason().userMessage()).contains("you submitted none recently, so even the job slot kept"
                + " for them is open to these jobs");
    }

    @Test
    void aChildsDemandCarriesBothLimitsAndTheLedgersFactPicksOne() {
        SlotDemand d = Admission.demand(LENDING, child(), Duration.ZERO);
        assertThat(d.jobLimit()).isEqualTo(9);
        assertThat(d.lentJobLimit()).isEqualTo(10);
        assertThat(d.marksOwnCallMs()).isZero();
        assertThat(d.fits(present(8))).isTrue();
        assertThat(d.fits(present(9))).isFalse();
        assertThat(d.fits(away(9))).isTrue();
        assertThat(d.fits(away(10))).isFalse();
        // Aged children are admitted whatever the counts, lent or not.
        SlotDemand aged = Admission.demand(LENDING, child(), Duration.ofMinutes(15));
        assertThat(aged.jobLimit()).isEqualTo(SlotDemand.UNLIMITED);
        assertThat(aged.lentJobLimit()).isEqualTo(SlotDemand.UNLIMITED);
    }

    @Test
    void theUsersOwnCallsMarkThemPresentForReserveForAndChildrenNever() {
        assertThat(Admission.demand(LENDING, plain(), Duration.ZERO).marksOwnCallMs()).isEqualTo(600_000);
        assertThat(Admission.demand(LENDING, parent(null), Duration.ZERO).marksOwnCallMs()).isEqualTo(600_000);
        assertThat(Admission.demand(LENDING, batch(2, 0), Duration.ZERO).marksOwnCallMs()).isEqualTo(600_000);
        // A batch with children is low priority, as a child.
        assertThat(Admission.demand(LENDING, batch(0, 2), Duration.ZERO).marksOwnCallMs()).isZero();
        // A nested app sent by a running one is not the user's doing: it marks nothing.
        Classification nested = parent("p0");
        assertThat(nested.fromParallelApp()).isTrue();
        assertThat(Admission.demand(LENDING, nested, Duration.ZERO).marksOwnCallMs()).isZero();
        assertThat(Admission.demand(LENDING, child(), Duration.ZERO).marksOwnCallMs()).isZero();
        // An own call's job limit does not depend on the fact.
        SlotDemand own = Admission.demand(LENDING, plain(), Duration.ZERO);
        assertThat(own.lentJobLimit()).isEqualTo(own.jobLimit());
    }

    @Test
    void onlyAnOwnCallsArrivalMarksNotItsRetriesWhileItWaits() {
        // A sixth parallel app waits at the proxy for the cap: its arrival marked the user present,
        // its retries at every release do not (that is not the scientist coming back).
        Hold atCap = (Hold) Admission.decide(LENDING, present(7), parent(null), Duration.ZERO);
        assertThat(atCap.demand().marksOwnCallMs()).isZero();
        assertThat(Admission.demand(LENDING, parent(null), Duration.ZERO).marksOwnCallMs()).isEqualTo(600_000);
        assertThat(Admission.demand(LENDING, parent(null), Duration.ofSeconds(1)).marksOwnCallMs()).isZero();
        // The first decision, on zero counts, is an admission that marks: the ledger's first step records it.
        Admit first = (Admit) Admission.decide(LENDING, UserCounts.ZERO, parent(null), Duration.ZERO);
        assertThat(first.demand().marksOwnCallMs()).isEqualTo(600_000);
    }

    @Test
    void alwaysKeepsTheReserveAsBeforeAndAsksTheLedgerNothing() {
        Limits alwaysKept = Limits.KBASE.withChildrenReserveFor(Limits.RESERVE_ALWAYS);
        EffectivePolicy always = new EffectivePolicy("alice", Mode.ENFORCE, alwaysKept, false, "defaults");
        assertThat(alwaysKept.reserveForText()).isEqualTo("always");
        assertThat(Limits.KBASE.reserveForText()).isEqualTo("10m");
        SlotDemand d = Admission.demand(always, child(), Duration.ZERO);
        assertThat(d.lentJobLimit()).isEqualTo(d.jobLimit()).isEqualTo(9);
        assertThat(d.fits(away(9))).isFalse();
        assertThat(Admission.demand(always, plain(), Duration.ZERO).marksOwnCallMs()).isZero();
        Hold h = (Hold) Admission.decide(always, away(9), child(), Duration.ZERO);
        assertThat(h.reason().rule()).isEqualTo("children.maxQueued");
        // With no reserve there is nothing to lend, and own calls mark nothing either.
        Limits noReserve = new Limits(10, 5, 2, Limits.KBASE.parentsWhenFull(), Duration.ofMinutes(10), 0,
                Duration.ofMinutes(15), 0).withChildrenReserveFor(Duration.ofMinutes(10));
        assertThat(noReserve.reserveNeverLent()).isTrue();
        EffectivePolicy none = new EffectivePolicy("alice", Mode.ENFORCE, noReserve, false, "lab");
        assertThat(Admission.demand(none, plain(), Duration.ZERO).marksOwnCallMs()).isZero();
    }

    @Test
    void theLentLimitKeepsTheFloorThatKeepsParallelAppsMoving() {
        // 4 slots, 1 app + 2 levels: the floor C_2 + 1 = 4 is above slots - reserve 2 = 2.
        Limits small = new Limits(4, 1, 2, Limits.KBASE.parentsWhenFull(), Duration.ofMinutes(10), 0,
                Duration.ofMinutes(15), 2).withChildrenReserveFor(Duration.ofSeconds(30));
        assertThat(small.childJobLimit()).isEqualTo(4);
        assertThat(small.lentChildJobLimit()).isEqualTo(4);
        assertThat(small.reserveNeverLent()).isTrue();
        EffectivePolicy p = new EffectivePolicy("alice", Mode.ENFORCE, small, false, "lab");
        assertThat(Admission.decide(p, new UserCounts(3, 3, Map.of("kb_Bwa", 3), true), child(), Duration.ZERO))
                .isInstanceOf(Admit.class);
    }
}
