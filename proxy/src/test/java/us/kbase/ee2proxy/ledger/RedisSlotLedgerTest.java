package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static us.kbase.ee2proxy.testing.Await.await;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.redis.RedisServerExtension;

class RedisSlotLedgerTest extends SlotLedgerContract {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedissonClient replicaA;
    private static RedissonClient replicaB;

    @BeforeAll
    static void connect() {
        replicaA = LedgerRedis.client(REDIS.server().uri(), Duration.ofSeconds(2));
        replicaB = LedgerRedis.client(REDIS.server().uri(), Duration.ofSeconds(2));
    }

    @AfterAll
    static void disconnect() {
        replicaA.shutdown();
        replicaB.shutdown();
    }

    private static RedisLedgerSettings settings(LeaseTerms terms) {
        return new RedisLedgerSettings("t" + PREFIXES.incrementAndGet(), Duration.ofSeconds(2), terms);
    }

    @Override
    protected SlotLedger create(LeaseTerms terms) {
        return new RedisSlotLedger(replicaA, settings(terms), new MetricRegistry());
    }

    @Override
    protected void ready(SlotLedger ledger) {
        get(((RedisSlotLedger) ledger).subscribed());
    }

    @Test
    void twoReplicasNeverExceedACapTogether() throws Exception {
        RedisLedgerSettings shared = settings(LeaseTerms.DEFAULT);
        SlotLedger a = new RedisSlotLedger(replicaA, shared, new MetricRegistry());
        SlotLedger b = new RedisSlotLedger(replicaB, shared, new MetricRegistry());
        try {
            List<java.util.concurrent.CompletionStage<Admission>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                SlotLedger replica = i % 2 == 0 ? a : b;
                for (String user : List.of("alice", "bob")) {
                    all.add(replica.tryAcquire(user, "t" + i, parent(0, "kb_Bowtie2", 5)));
                }
            }
            long admitted = all.stream().map(SlotLedgerContract::get).filter(Admission::admitted).count();
            assertThat(admitted).isEqualTo(10);
            assertThat(get(a.counts("alice")).parents()).isEqualTo(5);
            assertThat(get(b.counts("bob")).parents()).isEqualTo(5);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aReleaseOnOneReplicaWakesTheOther() {
        RedisLedgerSettings shared = settings(LeaseTerms.DEFAULT);
        RedisSlotLedger a = new RedisSlotLedger(replicaA, shared, new MetricRegistry());
        RedisSlotLedger b = new RedisSlotLedger(replicaB, shared, new MetricRegistry());
        try {
            ConcurrentLinkedQueue<String> wokenOnB = new ConcurrentLinkedQueue<>();
            b.onRelease(wokenOnB::add);
            get(b.subscribed());
            get(a.tryAcquire("alice", "t", parent(0, "kb_Bowtie2", 5)));
            get(a.bind("alice", "t", List.of("job-1")));

            assertThat(get(b.releaseJob("job-1"))).isTrue();
            assertThat(get(a.releaseJob("job-1"))).isFalse();
            await("b woken", () -> wokenOnB.contains("alice"));
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void scriptsAreSentAgainWhenRedisForgotThem() {
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "t1", parent(0, "kb_Bowtie2", 5)));
        assertThat(REDIS.server().command("SCRIPT", "FLUSH")).isEqualTo("+OK");
        assertThat(get(ledger.tryAcquire("alice", "t2", parent(0, "kb_Bowtie2", 5))).counts().parents())
                .isEqualTo(2);
    }

    @Test
    void aUsersKeysShareOneHashTagAndExpire() {
        RedisLedgerSettings s = settings(LeaseTerms.DEFAULT);
        SlotLedger ledger = new RedisSlotLedger(replicaA, s, new MetricRegistry());
        try {
            get(ledger.tryAcquire("a{b}", "t", new SlotDemand(List.of(SlotClaim.parentAt(0, "x")), 5, 10)));
            get(ledger.bind("a{b}", "t", List.of("job-1")));
            String prefix = s.keyPrefix();
            assertThat(REDIS.server().command("EXISTS", prefix + ":{a%7Bb%7D}:leases")).isEqualTo(":1");
            assertThat(REDIS.server().command("EXISTS", prefix + ":{a%7Bb%7D}:parents")).isEqualTo(":1");
            assertThat(REDIS.server().command("EXISTS", prefix + ":{a%7Bb%7D}:claims")).isEqualTo(":1");
            assertThat(REDIS.server().command("GET", prefix + ":job:{job-1}")).isEqualTo("$4");
            long ttl = Long.parseLong(REDIS.server().command("PTTL", prefix + ":{a%7Bb%7D}:leases").substring(1));
            assertThat(ttl).isGreaterThan(Duration.ofDays(8).toMillis());
        } finally {
            ledger.close();
        }
    }

    @Test
    void aLedgerStartsWhileRedisIsDownAndFailsFastAndDistinctly() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        MetricRegistry metrics = new MetricRegistry();
        try (RedisSlotLedger ledger = RedisSlotLedger.connect(java.net.URI.create("redis://127.0.0.1:" + closedPort),
                settings(LeaseTerms.DEFAULT).withCallTimeout(Duration.ofMillis(100)), metrics)) {
            assertThatThrownBy(() -> get(ledger.tryAcquire("alice", "t", parent(0, "kb_Bowtie2", 5))))
                    .satisfies(e -> assertThat(e.getCause()).hasCauseInstanceOf(LedgerUnavailableException.class));
            assertThat(metrics.counter("ledger.redis.errors").getCount()).isEqualTo(1);
            assertThat(metrics.timer("ledger.redis.acquire").getCount()).isEqualTo(1);
        }
    }

    @Test
    void connectBuildsAWorkingClient() {
        try (RedisSlotLedger ledger = RedisSlotLedger.connect(REDIS.server().uri(),
                settings(LeaseTerms.DEFAULT).withCallTimeout(Duration.ofSeconds(2)), new MetricRegistry())) {
            assertThat(get(ledger.tryAcquire("alice", "t", parent(0, "kb_Bowtie2", 5))).admitted()).isTrue();
        }
    }
}
