package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/** What every {@link SlotLedger} must do; one subclass per implementation. */
abstract class SlotLedgerContract extends LentReserveContract {
    private final List<SlotLedger> opened = new ArrayList<>();

    /** A fresh, empty ledger with these lease terms. */
    protected abstract SlotLedger create(LeaseTerms terms);

    @Override
    SlotLedger ledger() {
        return ledger(LeaseTerms.DEFAULT);
    }

    SlotLedger ledger(LeaseTerms terms) {
        SlotLedger ledger = create(terms);
        opened.add(ledger);
        return ledger;
    }

    @AfterEach
    void closeLedgers() {
        opened.forEach(SlotLedger::close);
    }

    static SlotDemand parent(int depth, String app, int cap) {
        return new SlotDemand(List.of(SlotClaim.parentAt(depth, app)), cap, SlotDemand.UNLIMITED);
    }

    static SlotDemand child(String app, int jobLimit) {
        return new SlotDemand(List.of(SlotClaim.job(app)), SlotDemand.UNLIMITED, jobLimit);
    }

    static SlotDemand plain(String app) {
        return new SlotDemand(List.of(SlotClaim.job(app)), SlotDemand.UNLIMITED, SlotDemand.UNLIMITED);
    }

    @Test
    void parentsAreAdmittedUpToTheCapAndCountedByApp() {
        SlotLedger ledger = ledger();
        for (int i = 0; i < 3; i++) {
            assertThat(get(ledger.tryAcquire("alice", "b" + i, parent(0, "kb_Bowtie2", 5))).admitted()).isTrue();
        }
        Admission fifth = get(ledger.tryAcquire("alice", "c0", parent(0, "kb_concoct", 5)));
        get(ledger.tryAcquire("alice", "c1", parent(0, "kb_concoct", 5)));
        Admission sixth = get(ledger.tryAcquire("alice", "c2", parent(0, "kb_concoct", 5)));

        assertThat(fifth.counts().parents()).isEqualTo(4);
        assertThat(sixth.verdict()).isEqualTo(Admission.Verdict.FULL);
        assertThat(sixth.counts()).isEqualTo(new UserCounts(5, 5, Map.of("kb_Bowtie2", 3, "kb_concoct", 2)));
        assertThat(get(ledger.counts("alice"))).isEqualTo(sixth.counts());
        assertThat(get(ledger.counts("bob"))).isEqualTo(UserCounts.ZERO);
    }

    @Test
    void aDeeperParentGetsTheLargerCap() {
        SlotLedger ledger = ledger();
        for (int i = 0; i < 5; i++) {
            get(ledger.tryAcquire("alice", "p" + i, parent(0, "kb_BatchApp", 5)));
        }
        assertThat(get(ledger.tryAcquire("alice", "top", parent(0, "kb_BatchApp", 5))).admitted()).isFalse();
        assertThat(get(ledger.tryAcquire("alice", "nested", parent(1, "kb_Bowtie2", 6))).admitted()).isTrue();
        assertThat(get(ledger.tryAcquire("alice", "nested2", parent(1, "kb_Bowtie2", 6))).admitted()).isFalse();
    }

    @Test
    void childrenAreAdmittedUpToTheJobLimitWhilePlainJobsAlwaysAre() {
        SlotLedger ledger = ledger();
        for (int i = 0; i < 4; i++) {
            assertThat(get(ledger.tryAcquire("alice", "c" + i, child("kb_uploadmethods", 4))).admitted()).isTrue();
        }
        assertThat(get(ledger.tryAcquire("alice", "c4", child("kb_uploadmethods", 4))).admitted()).isFalse();
        Admission plainJob = get(ledger.tryAcquire("alice", "plain", plain("kb_quast")));
        assertThat(plainJob.admitted()).isTrue();
        assertThat(plainJob.counts().jobs()).isEqualTo(5);
        assertThat(plainJob.counts().parents()).isZero();
    }

    @Test
    void aBatchIsTakenWholeOrNotAtAll() {
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "p0", parent(0, "kb_Bowtie2", 5)));
        List<SlotClaim> claims = List.of(SlotClaim.parentAt(0, "kb_Bowtie2"), SlotClaim.parentAt(0, "kb_Bowtie2"),
                SlotClaim.job("kb_quast"));
        Admission tooMany = get(ledger.tryAcquire("alice", "batch", new SlotDemand(claims, 2, SlotDemand.UNLIMITED)));
        assertThat(tooMany.admitted()).isFalse();
        assertThat(tooMany.counts().jobs()).isEqualTo(1);

        Admission fits = get(ledger.tryAcquire("alice", "batch2", new SlotDemand(claims, 3, 4)));
        assertThat(fits.admitted()).isTrue();
        assertThat(fits.counts()).isEqualTo(new UserCounts(3, 4, Map.of("kb_Bowtie2", 3)));
    }

    @Test
    void theSameTicketTwiceIsAdmittedOnceAndCountedOnce() {
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "t1", parent(0, "kb_Bowtie2", 1)));
        Admission again = get(ledger.tryAcquire("alice", "t1", parent(0, "kb_Bowtie2", 1)));
        assertThat(again.admitted()).isTrue();
        assertThat(again.counts().parents()).isEqualTo(1);
        assertThat(get(ledger.tryAcquire("alice", "t2", parent(0, "kb_Bowtie2", 1))).admitted()).isFalse();
    }

    @Test
    void bindTurnsClaimsIntoJobLeasesAndReleasesTheRest() {
        SlotLedger ledger = ledger();
        List<SlotClaim> claims = List.of(SlotClaim.parentAt(0, "kb_Bowtie2"), SlotClaim.job("kb_quast"),
                SlotClaim.job("kb_quast"));
        get(ledger.tryAcquire("alice", "batch", new SlotDemand(claims, 5, 20)));
        assertThat(get(ledger.parentClaim("alice", "job-a"))).isEmpty();

        List<String> bound = get(ledger.bind("alice", "batch", List.of("job-a", "job-b")));

        assertThat(bound).containsExactly("job-a", "job-b");
        assertThat(get(ledger.counts("alice"))).isEqualTo(new UserCounts(1, 2, Map.of("kb_Bowtie2", 1)));
        assertThat(get(ledger.parentClaim("alice", "job-a"))).map(SlotClaim::depth).hasValue(0);
        assertThat(get(ledger.parentClaim("alice", "job-b"))).isEmpty();
        assertThat(get(ledger.trackedJobs("alice"))).containsExactlyInAnyOrder(
                new TrackedJob("job-a", SlotClaim.parentAt(0, "kb_Bowtie2")),
                new TrackedJob("job-b", SlotClaim.job("kb_quast")));
        assertThat(get(ledger.bind("alice", "batch", List.of("job-a")))).isEmpty();
    }

    @Test
    void parentClaimAnswersOnlyForTheSameUser() {
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "t", parent(2, "kb_Bowtie2", 7)));
        get(ledger.bind("alice", "t", List.of("deep")));
        assertThat(get(ledger.parentClaim("alice", "deep"))).hasValue(SlotClaim.parentAt(2, "kb_Bowtie2"));
        assertThat(get(ledger.parentClaim("mallory", "deep"))).isEmpty();
        assertThat(get(ledger.parentClaim("alice", "unknown"))).isEmpty();
    }

    @Test
    void releasingATicketFreesItsLeasesAndWakesTheUser() {
        SlotLedger ledger = ledger();
        ConcurrentLinkedQueue<String> woken = new ConcurrentLinkedQueue<>();
        ledger.onRelease(woken::add);
        ready(ledger);
        get(ledger.tryAcquire("alice", "t", new SlotDemand(
                List.of(SlotClaim.parentAt(0, "kb_Bowtie2"), SlotClaim.job("x")), 5, 10)));

        assertThat(get(ledger.releaseTicket("alice", "t"))).isEqualTo(2);
        assertThat(get(ledger.releaseTicket("alice", "t"))).isZero();
        assertThat(get(ledger.counts("alice"))).isEqualTo(UserCounts.ZERO);
        await("alice woken", () -> woken.contains("alice"));
    }

    @Test
    void aFinishedJobIsReleasedOnceFoundByItsIdAlone() {
        SlotLedger ledger = ledger();
        ConcurrentLinkedQueue<String> woken = new ConcurrentLinkedQueue<>();
        ledger.onRelease(woken::add);
        ready(ledger);
        get(ledger.tryAcquire("alice", "t", parent(0, "kb_Bowtie2", 5)));
        get(ledger.bind("alice", "t", List.of("job-1")));

        assertThat(get(ledger.releaseJob("job-1"))).isTrue();
        assertThat(get(ledger.releaseJob("job-1"))).isFalse();
        assertThat(get(ledger.releaseJob("alice", "job-1"))).isFalse();
        assertThat(get(ledger.counts("alice"))).isEqualTo(UserCounts.ZERO);
        await("alice woken", () -> woken.contains("alice"));
        assertThat(get(ledger.releaseJob("never-seen"))).isFalse();
    }

    @Test
    void aFinishByItsOwnerReleasesItAndByAnyoneElseChangesNothing() {
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "t", plain("x")));
        get(ledger.bind("alice", "t", List.of("job-1", "job-2")));
        get(ledger.tryAcquire("alice", "u", plain("x")));
        get(ledger.bind("alice", "u", List.of("job-2")));

        assertThat(get(ledger.releaseJobOf("bob", "job-2")))
                .isEqualTo(new SlotLedger.OwnedRelease(java.util.Optional.of("alice"), false));
        assertThat(get(ledger.counts("alice")).jobs()).isEqualTo(2);
        assertThat(get(ledger.releaseJobOf("alice", "job-2")))
                .isEqualTo(new SlotLedger.OwnedRelease(java.util.Optional.of("alice"), true));
        assertThat(get(ledger.jobOwner("job-2"))).isEmpty();
        assertThat(get(ledger.releaseJobOf("alice", "job-2")).freed()).as("once only").isFalse();
        assertThat(get(ledger.counts("alice")).jobs()).isEqualTo(1);

        // Finished before it was bound (no owner yet): marked gone, so the late bind frees it.
        get(ledger.tryAcquire("alice", "v", plain("x")));
        assertThat(get(ledger.releaseJobOf("alice", "quick")))
                .isEqualTo(new SlotLedger.OwnedRelease(java.util.Optional.empty(), false));
        assertThat(get(ledger.bind("alice", "v", List.of("quick")))).isEmpty();
        assertThat(get(ledger.counts("alice")).jobs()).isEqualTo(1);
        assertThat(get(ledger.adopt("alice", "quick", SlotClaim.job("x")))).isFalse();
        assertThat(get(ledger.jobOwner("job-1"))).hasValue("alice");
    }

    @Test
    void leasesAreTheTrackedJobsAndTheCountsTogether() {
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "t", parent(0, "kb_Bowtie2", 5)));
        get(ledger.bind("alice", "t", List.of("job-1")));
        get(ledger.tryAcquire("alice", "u", plain("x")));

        SlotLedger.UserLeases leases = get(ledger.leases("alice"));
        assertThat(leases.jobs()).isEqualTo(get(ledger.trackedJobs("alice")))
                .containsExactly(new TrackedJob("job-1", SlotClaim.parentAt(0, "kb_Bowtie2")));
        assertThat(leases.counts()).isEqualTo(get(ledger.counts("alice")))
                .isEqualTo(new UserCounts(1, 2, Map.of("kb_Bowtie2", 1)));
        assertThat(get(ledger.leases("nobody"))).isEqualTo(new SlotLedger.UserLeases(List.of(), UserCounts.ZERO));
    }

    @Test
    void theJobIndexNamesTheOwnerOfABoundLeaseOnly() {
        SlotLedger ledger = ledger();
        ready(ledger);
        get(ledger.tryAcquire("alice", "t", parent(0, "kb_Bowtie2", 5)));
        assertThat(get(ledger.jobOwner("job-1"))).as("provisional: no job id yet").isEmpty();
        get(ledger.bind("alice", "t", List.of("job-1")));
        get(ledger.adopt("bob", "old", SlotClaim.job("x")));

        assertThat(get(ledger.jobOwner("job-1"))).hasValue("alice");
        assertThat(get(ledger.jobOwner("old"))).hasValue("bob");
        get(ledger.releaseJob("alice", "job-1"));
        assertThat(get(ledger.jobOwner("job-1"))).isEmpty();
        get(ledger.releaseJob("finished-unbound"));
        assertThat(get(ledger.jobOwner("finished-unbound"))).isEmpty();
        assertThat(get(ledger.jobOwner("never-seen"))).isEmpty();
    }

    @Test
    void aJobFinishedBeforeItsLeaseIsBoundIsNeverCounted() {
        // EE2 starts a job before its run_job reply reaches the proxy: a quick job's finish_job
        // (with no owner known yet) can come first.
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "t", plain("x")));
        assertThat(get(ledger.releaseJob("quick-job"))).isFalse();
        assertThat(get(ledger.bind("alice", "t", List.of("quick-job")))).isEmpty();
        assertThat(get(ledger.counts("alice"))).isEqualTo(UserCounts.ZERO);
        assertThat(get(ledger.releaseJob("quick-job-2"))).isFalse();
        assertThat(get(ledger.adopt("alice", "quick-job-2", SlotClaim.job("x")))).isFalse();
        assertThat(get(ledger.counts("alice"))).isEqualTo(UserCounts.ZERO);
    }

    @Test
    void aReleasedJobCannotBeAdoptedOrBoundAgain() {
        SlotLedger ledger = ledger();
        assertThat(get(ledger.releaseJob("alice", "finished-early"))).isFalse();
        assertThat(get(ledger.adopt("alice", "finished-early", SlotClaim.job("x")))).isFalse();
        get(ledger.tryAcquire("alice", "t", plain("x")));
        assertThat(get(ledger.bind("alice", "t", List.of("finished-early")))).isEmpty();
        assertThat(get(ledger.counts("alice"))).isEqualTo(UserCounts.ZERO);
    }

    @Test
    void adoptTakesAnUncheckedLeaseOnce() {
        SlotLedger ledger = ledger();
        for (int i = 0; i < 5; i++) {
            get(ledger.tryAcquire("alice", "p" + i, parent(0, "kb_Bowtie2", 5)));
        }
        assertThat(get(ledger.adopt("alice", "old", SlotClaim.parentAt(1, "kb_concoct")))).isTrue();
        assertThat(get(ledger.adopt("alice", "old", SlotClaim.parentAt(1, "kb_concoct")))).isFalse();

        assertThat(get(ledger.counts("alice")).parents()).isEqualTo(6);
        assertThat(get(ledger.parentClaim("alice", "old"))).map(SlotClaim::depth).hasValue(1);
        assertThat(get(ledger.trackedJobs("alice"))).containsExactly(
                new TrackedJob("old", SlotClaim.parentAt(1, "kb_concoct")));
        assertThat(get(ledger.users())).contains("alice");
        assertThat(get(ledger.releaseJob("old"))).isTrue();
    }

    @Test
    void expiredLeasesStopCountingAndWakeTheUser() {
        // Long enough that a loaded machine cannot expire them before the cap is checked below.
        LeaseTerms shortLived = new LeaseTerms(Duration.ofMillis(2000), Duration.ofMillis(3000), Duration.ofMillis(300));
        SlotLedger ledger = ledger(shortLived);
        ConcurrentLinkedQueue<String> woken = new ConcurrentLinkedQueue<>();
        ledger.onRelease(woken::add);
        ready(ledger);
        get(ledger.tryAcquire("alice", "provisional", parent(0, "kb_Bowtie2", 2)));
        get(ledger.tryAcquire("alice", "bound", parent(0, "kb_Bowtie2", 2)));
        get(ledger.bind("alice", "bound", List.of("job-1")));
        assertThat(get(ledger.tryAcquire("alice", "third", parent(0, "kb_Bowtie2", 2))).admitted()).isFalse();

        await("leases expired", () -> get(ledger.counts("alice")).equals(UserCounts.ZERO));
        await("alice woken", () -> woken.contains("alice"));
        assertThat(get(ledger.parentClaim("alice", "job-1"))).isEmpty();
        assertThat(get(ledger.tryAcquire("alice", "third", parent(0, "kb_Bowtie2", 2))).admitted()).isTrue();
    }

    @Test
    void usersAreKeptApartWhateverTheirNames() {
        SlotLedger ledger = ledger();
        List<String> names = List.of("a", "a}", "{a}", "a:b", "a*", "a%41", "A", "ü ser", "a\nb", "", "%");
        for (String name : names) {
            get(ledger.tryAcquire(name, "t", parent(0, "app-" + name, 1)));
            get(ledger.bind(name, "t", List.of("job-" + name)));
        }
        for (String name : names) {
            assertThat(get(ledger.counts(name))).isEqualTo(new UserCounts(1, 1, Map.of("app-" + name, 1)));
            assertThat(get(ledger.parentClaim(name, "job-" + name))).hasValue(SlotClaim.parentAt(0, "app-" + name));
        }
        assertThat(get(ledger.users())).containsExactlyInAnyOrderElementsOf(names);
        assertThat(get(ledger.releaseJob("job-a}"))).isTrue();
        assertThat(get(ledger.counts("a}"))).isEqualTo(UserCounts.ZERO);
        assertThat(get(ledger.counts("a")).jobs()).isEqualTo(1);
    }

    @Test
    void racingAcquiresNeverExceedTheCaps() throws Exception {
        SlotLedger ledger = ledger();
        int threads = 64;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Admission>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String ticket = "race-" + i;
                SlotDemand demand = i % 2 == 0 ? parent(0, "kb_Bowtie2", 5) : child("x", 12);
                results.add(pool.submit(() -> {
                    start.await();
                    return get(ledger.tryAcquire("alice", ticket, demand));
                }));
            }
            start.countDown();
            int parents = 0;
            int admitted = 0;
            for (int i = 0; i < threads; i++) {
                Admission a = results.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (a.admitted()) {
                    admitted++;
                    parents += i % 2 == 0 ? 1 : 0;
                }
            }
            UserCounts counts = get(ledger.counts("alice"));
            // 5 parents whatever the order; children fit while all jobs <= 12, parents included
            assertThat(parents).isEqualTo(5);
            assertThat(counts.parents()).isEqualTo(5);
            assertThat(counts.jobs()).isEqualTo(admitted);
            assertThat(admitted - parents).isBetween(7, 12);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Hook: a ledger whose wake-ups travel over the network is ready once subscribed. */
    protected void ready(SlotLedger ledger) {}
}
