package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.ledger.SlotLedgerContract.get;
import static us.kbase.ee2proxy.ledger.SlotLedgerContract.parent;
import static us.kbase.ee2proxy.testing.Await.await;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.redis.RedisServerExtension;
import us.kbase.ee2proxy.redis.RedisServerProcess;

/**
 * Orders of events across threads that the outage state machine ({@link Outage}) must survive: a
 * decision whose answer arrives after the replica saw Redis lose its data, and callers that arrive
 * while the journal is being written back.
 */
class OutageRacesTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final SlotClaim BOWTIE = SlotClaim.parentAt(0, "kb_Bowtie2");
    /** Patient: the held reply must arrive as an answer, not as a timeout. */
    private static final Duration PATIENT = Duration.ofSeconds(30);

    /**
     * A held reply holds every reply after it on its connection, and Redisson sends later commands
     * on that connection too (seen: with 8 connections the replica's probes waited behind the held
     * reply). With many connections taken in turn, its other calls (probes, the rebuild) go
     * through the others.
     */
    private static RedissonClient manyConnections(URI uri) {
        Config config = new Config();
        config.useSingleServer()
                .setAddress(uri.toString())
                .setTimeout((int) PATIENT.toMillis())
                .setConnectTimeout(5_000)
                .setRetryAttempts(0)
                .setConnectionMinimumIdleSize(96)
                .setConnectionPoolSize(96)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setSubscriptionConnectionPoolSize(2);
        config.setThreads(2).setNettyThreads(4);
        return Redisson.create(config);
    }

    /** What a race test does with the rig {@link #onARebuiltReplica} builds. */
    private interface Race {
        void run(RedisServerProcess redis, HeldReplies relay, RedisSlotLedger observer, ResilientLedger replica)
                throws Exception;
    }

    /**
     * A replica that reaches Redis through a {@link HeldReplies} relay, deciding after its first
     * rebuild (EE2 runs 4 of alice's parents), and an observer that reads Redis directly.
     */
    private static void onARebuiltReplica(Race race) throws Exception {
        RedisServerProcess redis = REDIS.server();
        RedisLedgerSettings settings = new RedisLedgerSettings("race" + PREFIXES.incrementAndGet(), PATIENT,
                LeaseTerms.DEFAULT);
        RedissonClient client = null;
        RedissonClient observerClient = LedgerRedis.client(redis.uri(), Duration.ofSeconds(5));
        try (HeldReplies relay = new HeldReplies(redis.uri());
                RedisSlotLedger observer = new RedisSlotLedger(observerClient, settings, new MetricRegistry())) {
            client = manyConnections(relay.uri());
            RedisSlotLedger shared = new RedisSlotLedger(client, settings, new MetricRegistry());
            try (ResilientLedger replica = new ResilientLedger(shared, () -> RedisFailureMode.WAIT, LeaseTerms.DEFAULT,
                    true, Duration.ofMillis(100), new MetricRegistry())) {
                replica.rebuildWith(() -> adoptFourParents(replica));
                await("the first rebuild", replica::redisDecides);
                race.run(redis, relay, observer, replica);
            }
        } finally {
            if (client != null) {
                client.shutdown();
            }
            observerClient.shutdown();
        }
    }

    /** EE2 runs 4 of alice's parents: what every rebuild adopts. */
    private static CompletionStage<Boolean> adoptFourParents(SlotLedger ledger) {
        CompletableFuture<?>[] adopted = new CompletableFuture<?>[4];
        for (int i = 0; i < 4; i++) {
            adopted[i] = ledger.adopt("alice", "job-" + i, BOWTIE).toCompletableFuture();
        }
        return CompletableFuture.allOf(adopted).thenApply(done -> true);
    }

    /**
     * Redis runs a decision and answers it "admitted, on the generation you know"; the answer is
     * late, and meanwhile Redis lost its data and was rebuilt from EE2 (which does not list the
     * job yet: its run_job is not sent). The decision must not count: its lease went with the data.
     * Counted, the replica sends a run_job Redis does not count, and a sixth parent is admitted.
     */
    @Test
    void aDecisionAnsweredAfterTheDataSetWasLostAndRebuiltIsGivenBack() throws Exception {
        onARebuiltReplica((redis, relay, observer, replica) -> {
            String before = get(observer.generation(null));
            // Redis has the acquire script (the held reply must be the decision, not NOSCRIPT).
            assertThat(get(replica.tryAcquire("bob", "warm", parent(0, "kb_Bowtie2", 5))).admitted()).isTrue();
            get(replica.releaseTicket("bob", "warm"));

            relay.holdReplyTo("late-ticket");
            CompletableFuture<Admission> late = replica.tryAcquire("alice", "late-ticket",
                    parent(0, "kb_Bowtie2", 5)).toCompletableFuture();
            await("decided in Redis, its answer held", () -> relay.sent()
                    && get(observer.counts("alice")).parents() == 5);
            assertThat(redis.command("FLUSHALL")).isEqualTo("+OK");
            await("noticed, rebuilt and deciding again", () -> !before.equals(get(observer.generation(null)))
                    && replica.redisDecides() && get(observer.counts("alice")).parents() == 4);
            assertThat(late).isNotDone();

            relay.release();
            Admission answer = get(late);
            if (answer.admitted()) {
                assertThat(get(observer.counts("alice")).parents())
                        .as("admitted, so EE2 will run it: Redis must count it").isEqualTo(5);
            } else {
                assertThat(answer.verdict()).isEqualTo(Admission.Verdict.LEDGER_UNAVAILABLE);
                // The call waits at the proxy, and is decided again under its ticket.
                await("decided again", () -> get(replica.tryAcquire("alice", "late-ticket",
                        parent(0, "kb_Bowtie2", 5))).admitted());
            }
            assertThat(get(replica.tryAcquire("alice", "sixth", parent(0, "kb_Bowtie2", 5))).verdict())
                    .isEqualTo(Admission.Verdict.FULL);
            assertThat(get(observer.counts("alice")).parents()).isEqualTo(5);
        });
    }

    /**
     * Redis lost its data while a run_job was in flight: the rebuild takes its provisional lease
     * again, but that step reaches Redis only after EE2 refused the job and the call released its
     * ticket. The lease must not outlive the call (it would count a job EE2 never ran, holding a
     * slot until the provisional lease expires, 10 minutes; and a call retried under the same
     * ticket would be admitted without a check).
     */
    @Test
    void aCallReleasedWhileTheRebuildTakesItsLeaseAgainLeavesNoLease() throws Exception {
        onARebuiltReplica((redis, relay, observer, replica) -> {
            assertThat(get(replica.tryAcquire("alice", "refused-ticket", parent(0, "kb_Bowtie2", 5))).admitted())
                    .isTrue();

            relay.holdCommand("refused-ticket");
            assertThat(redis.command("FLUSHALL")).isEqualTo("+OK");
            await("the rebuild takes the call's lease again (held on its way)", relay::sent);
            // EE2 refused the run_job: the call releases its ticket (straight to Redis).
            get(replica.releaseTicket("alice", "refused-ticket"));
            relay.release();

            await("rebuilt and deciding again", () -> replica.redisDecides()
                    && get(observer.counts("alice")).parents() >= 4);
            assertThat(get(observer.counts("alice")).parents()).as("EE2 runs 4").isEqualTo(4);
            assertThat(get(replica.tryAcquire("alice", "fifth", parent(0, "kb_Bowtie2", 5))).admitted()).isTrue();
            assertThat(get(replica.tryAcquire("alice", "sixth", parent(0, "kb_Bowtie2", 5))).verdict())
                    .isEqualTo(Admission.Verdict.FULL);
        });
    }

    /**
     * The journal is written back on one thread, a step at a time; every other thread (an event
     * loop releasing a job, binding, asking whether Redis decides) must go on while a step waits
     * for Redis. Here the step's answer never comes until the test gives it, so a lock held across
     * the step would keep the other thread waiting for the whole step, not a moment.
     */
    @Test
    void nobodyWaitsForAStepBeingWrittenBack() throws Exception {
        OutageJournal journal = new OutageJournal(new Counter());
        ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
        CompletableFuture<Object> redisAnswers = new CompletableFuture<>();
        journal.appendFailed("release job-1", () -> {
            written.add("release job-1");
            return redisAnswers;
        });
        ExecutorService recovery = Executors.newSingleThreadExecutor();
        ExecutorService eventLoop = Executors.newSingleThreadExecutor();
        try {
            Future<?> writingBack = recovery.submit(() -> {
                journal.writeBack(Duration.ofMinutes(5));
                return null;
            });
            await("the step is being written back", () -> !written.isEmpty());

            Future<Boolean> meanwhile = eventLoop.submit(() -> {
                boolean decides = journal.clear();
                boolean appended = journal.appendIfOwing("bind t2", () -> {
                    written.add("bind t2");
                    return CompletableFuture.completedFuture(null);
                });
                return !decides && appended && journal.size() == 2;
            });
            assertThat(meanwhile.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(redisAnswers).as("the step was in flight all along").isNotDone();

            redisAnswers.complete("OK");
            writingBack.get(60, TimeUnit.SECONDS);
            assertThat(List.copyOf(written)).containsExactly("release job-1", "bind t2");
            assertThat(journal.clear()).isTrue();
        } finally {
            recovery.shutdownNow();
            eventLoop.shutdownNow();
        }
    }
}
