package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.ledger.ChildBoundContract.get;
import static us.kbase.ee2proxy.ledger.LentReserveContract.nineJobs;
import static us.kbase.ee2proxy.ledger.LentReserveContract.own;
import static us.kbase.ee2proxy.ledger.LentReserveContract.reserveChild;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@code children.reserveFor} in the embedded ledger with an injected clock: the reserve is kept
 * exactly until the own call's mark runs out, to the millisecond, and kept again at the next.
 */
class InMemoryLentReserveTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InMemorySlotLedger ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT, now::get);

    @Test
    void theReserveIsKeptForReserveForAfterAnOwnCallThenLentThenKeptAgain() {
        long tenMinutes = Duration.ofMinutes(10).toMillis();
        nineJobs(ledger, "alice");
        get(ledger.tryAcquire("alice", "mine", own(tenMinutes)));
        get(ledger.releaseTicket("alice", "mine"));
        now.addAndGet(tenMinutes - 1);
        assertThat(get(ledger.tryAcquire("alice", "c0", reserveChild())).verdict()).isEqualTo(Admission.Verdict.FULL);
        now.addAndGet(1);
        Admission lent = get(ledger.tryAcquire("alice", "c0", reserveChild()));
        assertThat(lent.admitted()).isTrue();
        assertThat(lent.counts().ownCallRecent()).isFalse();
        get(ledger.tryAcquire("alice", "mine2", own(tenMinutes)));
        get(ledger.releaseTicket("alice", "c0"));
        get(ledger.releaseTicket("alice", "mine2"));
        assertThat(get(ledger.tryAcquire("alice", "c1", reserveChild())).verdict()).isEqualTo(Admission.Verdict.FULL);
        assertThat(get(ledger.counts("alice")).ownCallRecent()).isTrue();
    }

    @Test
    void aUserWhoseOnlyRecordIsTheMarkKeepsItUntilItRunsOut() {
        // The book holds the mark even with no lease: a child arriving just after the own job ended sees it.
        get(ledger.tryAcquire("carol", "mine", own(60_000)));
        get(ledger.releaseTicket("carol", "mine"));
        assertThat(get(ledger.users())).contains("carol");
        now.addAndGet(59_000);
        assertThat(get(ledger.counts("carol")).reserveKeptMs()).isEqualTo(1_000);
        now.addAndGet(999);
        assertThat(get(ledger.counts("carol")).ownCallRecent()).isTrue();
        now.addAndGet(1);
        assertThat(get(ledger.counts("carol")).ownCallRecent()).isFalse();
        assertThat(get(ledger.users())).doesNotContain("carol");
    }
}
