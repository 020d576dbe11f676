package us.kbase.ee2proxy.bench.admission;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import us.kbase.ee2proxy.bench.jsonrpc.RpcBodies;
import us.kbase.ee2proxy.identity.Auth2Identity;
import us.kbase.ee2proxy.identity.IdentitySettings;
import us.kbase.ee2proxy.jsonrpc.JsonRpcSniffer;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.ledger.RedisLedgerSettings;
import us.kbase.ee2proxy.ledger.RedisSlotLedger;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;
import us.kbase.ee2proxy.policy.decide.Admission;
import us.kbase.ee2proxy.policy.decide.Decision;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.redis.RedisServerProcess;
import us.kbase.ee2proxy.sim.Ee2Simulator;

/**
 * Issue 5's measure: what admitting one sniffed run_job of a parallel app costs, end to end
 * inside the proxy, with percentiles (sample-time mode): the identity cache hit ({@link
 * Auth2Identity}: SHA-256 of the token, then its Caffeine cache, filled once from the simulator's
 * auth2 before measuring), classification, the user's limits
 * and the demand, and ONE ledger step ({@code tryAcquire}: a single EVALSHA on Redis over
 * loopback, or the embedded ledger). When the ledger says full, the decision is made against the
 * counts it returned (the hold path); here the user always has room, so every call is admitted.
 *
 * <p>The lease is released after each call outside the timed part, so the user's counts stay put.
 * Redis's call timeout is raised to 2 s for the same reason as in {@code RedisLedgerBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AdmissionCostBenchmark {
    private static final String TOKEN = "ZXhhbXBsZS1rYmFzZS1sb2dpbi10b2tlbg";
    private static final String USER = "alice";

    @Param({"redis", "memory"})
    String ledgerKind;

    private RedisServerProcess redis;
    private SlotLedger ledger;
    private Ee2Simulator auth2;
    private Auth2Identity identities;
    private final AdmissionPolicy policy = AdmissionPolicy.defaults();
    private JobCreation call;
    private long tickets;
    private String ticket;

    @Setup
    public void setUp() {
        if (ledgerKind.equals("redis")) {
            redis = RedisServerProcess.start();
            ledger = RedisSlotLedger.connect(redis.uri(),
                    RedisLedgerSettings.DEFAULT.withCallTimeout(Duration.ofSeconds(2)), new MetricRegistry());
        } else {
            ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
        }
        try {
            auth2 = Ee2Simulator.builder().token(TOKEN, USER).build().start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        identities = new Auth2Identity(IdentitySettings.of(auth2.url()), new MetricRegistry());
        if (!identities.user(TOKEN).join().equals(USER)) {
            throw new IllegalStateException("auth2 does not know the benchmark's token");
        }
        byte[] body = RpcBodies.of("run_job", 0);
        call = ((SniffResult.Call) JsonRpcSniffer.sniff(body)).creation();
        // The body names a parent_job_id the ledger does not know: a parent at depth 0.
        call = new JobCreation.RunJob(((JobCreation.RunJob) call).params().withParentJobId(null), false);
    }

    @TearDown
    public void tearDown() {
        ledger.close();
        if (redis != null) {
            redis.close();
        }
        auth2.close();
    }

    @TearDown(Level.Invocation)
    public void release() {
        ledger.releaseTicket(USER, ticket).toCompletableFuture().join();
    }

    @Benchmark
    public Object admitRunJob() {
        String user = identities.user(TOKEN).join();
        Classification c = Classifier.classify(policy, call, user, ParentLookup.NONE, RetryLookup.NONE);
        EffectivePolicy limits = policy.forUser(c.ledgerUser());
        SlotDemand demand = Admission.demand(limits, c, Duration.ZERO);
        ticket = Long.toString(++tickets);
        us.kbase.ee2proxy.ledger.Admission taken =
                ledger.tryAcquire(c.ledgerUser(), ticket, demand).toCompletableFuture().join();
        if (taken.admitted()) {
            return taken;
        }
        Decision held = Admission.decide(limits, taken.counts(), c, Duration.ZERO);
        return held;
    }
}
