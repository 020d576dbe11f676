package us.kbase.ee2proxy.bench.status;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import us.kbase.ee2proxy.hold.HeldCall;
import us.kbase.ee2proxy.hold.HoldQueues;
import us.kbase.ee2proxy.hold.HoldSettings;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.status.LiveState;
import us.kbase.ee2proxy.status.WaitingCall;

/**
 * What the status views cost (issue 12): the live state model holds {@code waiting} calls waiting
 * at the proxy, ten per user (every user at their parallel-app cap), and a view only reads and
 * orders them. {@code console} is one poll of the operator's console (every user, as JSON),
 * {@code scientist} one poll of one user's page (as JSON), {@code decided} what feeding the model
 * adds to each admission decision. The pass-through path does none of this.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class StatusViewBenchmark {
    private static final JsonMapper JSON = new JsonMapper();
    private static final String APP = "kb_Bowtie2";

    @Param({"100", "10000"})
    int waiting;

    private InMemorySlotLedger ledger;
    private HoldQueues holds;
    private LiveState live;
    private long next;

    @Setup
    public void fill() {
        ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
        holds = new HoldQueues(ledger, new HoldSettings(waiting + 1, waiting + 1, Duration.ofMinutes(10)));
        live = new LiveState(AdmissionPolicy::defaults, ledger, () -> "in-memory", Clock.systemUTC());
        for (int i = 0; i < waiting; i++) {
            String user = "user" + (i / 10);
            Classification c = new Classification(new JobClass.Parent(0, APP, null), user,
                    List.of(SlotClaim.parentAt(0, APP)), List.of(0));
            // A cap of 0: nothing ever fits, so every call stays waiting.
            HeldCall held = holds.hold(user, "t" + i, c, new SlotDemand(c.claims(), 0, SlotDemand.UNLIMITED),
                    Duration.ofHours(1)).waiting().orElseThrow();
            live.waiting(new WaitingCall("t" + i, held, "parallel app", APP, null,
                    "You have 5 parallel apps running (kb_Bowtie2 x5); your limit is 5. This one starts when one of them"
                            + " finishes, and waits at most 10 minutes. See https://kbase.us/services/ee2/status",
                    "hold kb_Bowtie2 job: P(u)=5 > C_0=5 (parents.maxPerUser 5 + depth 0); held up to 10m, then refused;"
                            + " user " + user + " (defaults)", Duration.ofMinutes(10),
                    "it is not submitted, and the app gets a message saying so", Instant.now().minusSeconds(i % 600)));
            live.decided(user, "t" + i, "waiting", c.jobClass(), "You have 5 parallel apps running.");
        }
    }

    @TearDown
    public void close() {
        holds.close();
        ledger.close();
    }

    @Benchmark
    public byte[] console() throws Exception {
        return JSON.writeValueAsBytes(live.state());
    }

    @Benchmark
    public byte[] scientist() throws Exception {
        return JSON.writeValueAsBytes(live.user("user0", false));
    }

    @Benchmark
    public void decided() {
        live.decided("user0", "d" + (next++), "admitted", new JobClass.Plain("kb_quast"), "Your job was submitted.");
    }
}
