package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.util.List;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;

/**
 * What every {@link SlotLedger} does for {@code children.reserveFor}: a user's own call records, in
 * its acquire's atomic step, that the user's reserve is kept for {@link SlotDemand#marksOwnCallMs()};
 * a child's acquire picks its job limit by that record in the same step (kept: {@code jobLimit};
 * lent: {@code lentJobLimit}), and the counts say which. Part of {@link SlotLedgerContract}.
 *
 * <p>Real time: the windows that must not pass during a test are an hour long; the one that must
 * pass is short and awaited, never assumed.
 */
abstract class LentReserveContract extends ChildBoundContract {
    static final long HOUR_MS = 3_600_000;

    /** A user's own plain job that keeps the reserve for {@code marksMs} (never waits for a slot). */
    static SlotDemand own(long marksMs) {
        return new SlotDemand(List.of(SlotClaim.job("kb_uploadmethods")), SlotDemand.UNLIMITED, SlotDemand.UNLIMITED,
                List.of(), SlotDemand.UNLIMITED, marksMs);
    }

    /** A child whose limit is 9 jobs with the reserve kept and 10 with it lent (KBase's defaults). */
    static SlotDemand reserveChild() {
        return new SlotDemand(List.of(SlotClaim.childOf("p0", "kb_Bowtie2")), SlotDemand.UNLIMITED, 9, List.of(), 10, 0);
    }

    /** Nine unfinished jobs, bound, that are not the user's own calls (a parent's earlier children, say). */
    static void nineJobs(SlotLedger ledger, String user) {
        for (int i = 0; i < 9; i++) {
            assertThat(get(ledger.tryAcquire(user, "j" + i, new SlotDemand(List.of(SlotClaim.job("kb_quast")),
                    SlotDemand.UNLIMITED, SlotDemand.UNLIMITED))).admitted()).isTrue();
            assertThat(get(ledger.bind(user, "j" + i, List.of(user + "-job-" + i)))).hasSize(1);
        }
    }

    @Test
    void anOwnCallKeepsTheReserveFromChildrenAndAwayItIsLent() {
        SlotLedger ledger = ledger();
        nineJobs(ledger, "alice");
        assertThat(get(ledger.counts("alice")).ownCallRecent()).isFalse();
        // No own call yet: the child takes the reserved tenth slot.
        Admission lent = get(ledger.tryAcquire("alice", "c0", reserveChild()));
        assertThat(lent.admitted()).isTrue();
        assertThat(lent.counts().jobs()).isEqualTo(10);
        assertThat(lent.counts().ownCallRecent()).isFalse();
        get(ledger.releaseTicket("alice", "c0"));
        // The scientist submits a job; it ends. The next child finds the reserve kept.
        Admission mine = get(ledger.tryAcquire("alice", "mine", own(HOUR_MS)));
        assertThat(mine.admitted()).isTrue();
        assertThat(mine.counts().ownCallRecent()).isTrue();
        // How much longer the reserve is kept: at most the window, and not much less (an hour against a test's seconds).
        assertThat(mine.counts().reserveKeptMs()).isBetween(HOUR_MS - 600_000, HOUR_MS);
        get(ledger.releaseTicket("alice", "mine"));
        Admission kept = get(ledger.tryAcquire("alice", "c1", reserveChild()));
        assertThat(kept.verdict()).isEqualTo(Admission.Verdict.FULL);
        assertThat(kept.counts().jobs()).isEqualTo(9);
        assertThat(kept.counts().ownCallRecent()).isTrue();
        assertThat(get(ledger.counts("alice")).ownCallRecent()).isTrue();
        // Another user's record is their own.
        nineJobs(ledger, "bob");
        assertThat(get(ledger.tryAcquire("bob", "c0", reserveChild())).admitted()).isTrue();
    }

    @Test
    void anOwnCallThatDoesNotFitStillKeepsTheReserve() {
        SlotLedger ledger = ledger();
        nineJobs(ledger, "alice");
        SlotDemand waiting = new SlotDemand(List.of(SlotClaim.job("kb_uploadmethods")), SlotDemand.UNLIMITED, 9,
                List.of(), 9, HOUR_MS);
        Admission own = get(ledger.tryAcquire("alice", "mine", waiting));
        assertThat(own.verdict()).isEqualTo(Admission.Verdict.FULL);
        assertThat(own.counts().ownCallRecent()).isTrue();
        assertThat(get(ledger.tryAcquire("alice", "c0", reserveChild())).verdict()).isEqualTo(Admission.Verdict.FULL);
        // A child's acquire records nothing: a user with only children stays away.
        get(ledger.tryAcquire("bob", "c0", reserveChild()));
        assertThat(get(ledger.counts("bob")).ownCallRecent()).isFalse();
    }

    @Test
    void afterReserveForTheReserveIsLentAndTheNextOwnCallKeepsItAgain() {
        SlotLedger ledger = ledger();
        nineJobs(ledger, "alice");
        get(ledger.tryAcquire("alice", "mine", own(200)));
        get(ledger.releaseTicket("alice", "mine"));
        await("alice's own call older than reserveFor", () -> !get(ledger.counts("alice")).ownCallRecent());
        Admission lent = get(ledger.tryAcquire("alice", "c0", reserveChild()));
        assertThat(lent.admitted()).isTrue();
        assertThat(lent.counts().jobs()).isEqualTo(10);
        // The slot lent stays with its child; the own call after it keeps the reserve for the next child.
        Admission mine = get(ledger.tryAcquire("alice", "mine2", own(HOUR_MS)));
        assertThat(mine.admitted()).isTrue();
        assertThat(mine.counts().jobs()).isEqualTo(11);
        get(ledger.releaseTicket("alice", "c0"));
        get(ledger.releaseTicket("alice", "mine2"));
        assertThat(get(ledger.tryAcquire("alice", "c1", reserveChild())).verdict()).isEqualTo(Admission.Verdict.FULL);
        // A shorter mark never shortens a longer one still running.
        get(ledger.tryAcquire("alice", "mine3", own(1)));
        get(ledger.releaseTicket("alice", "mine3"));
        assertThat(get(ledger.tryAcquire("alice", "c2", reserveChild())).verdict()).isEqualTo(Admission.Verdict.FULL);
    }
}
