package us.kbase.ee2proxy.bench.status;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.status.LiveState;

/**
 * What showing each parallel app's children by state costs (issue 12 item 4): 1,000 users, each
 * with one parallel app of 50 unfinished children (50,000 indexed). {@code startJobOfAnotherJob}
 * is what a runner's start_job of a job that is no child now costs job tracking (one lookup, no
 * child admitted lately); {@code childRuns} one progress report of a child; {@code scientist} one
 * poll of a user's page with its app's 50 children (as JSON).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ChildProgressBenchmark {
    private static final JsonMapper JSON = new JsonMapper();
    private static final int USERS = 1000;
    private static final int CHILDREN = 50;

    private InMemorySlotLedger ledger;
    private LiveState live;
    private final List<String> children = new ArrayList<>();
    private int next;

    @Setup
    public void fill() {
        ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
        live = new LiveState(AdmissionPolicy::defaults, ledger, () -> "in-memory", Clock.systemUTC());
        for (int u = 0; u < USERS; u++) {
            String user = "user" + u;
            String app = "app" + u;
            live.bound(new Classification(new JobClass.Parent(0, "kb_Bowtie2", null), user,
                    List.of(SlotClaim.parentAt(0, "kb_Bowtie2")), List.of(0)), List.of(app));
            for (int c = 0; c < CHILDREN; c++) {
                String child = app + "-child" + c;
                live.bound(new Classification(new JobClass.Child(app, "kb_quast"), user,
                        List.of(SlotClaim.childOf(app, "kb_quast")), List.of(0)), List.of(child));
                children.add(child);
            }
        }
    }

    @TearDown
    public void close() {
        ledger.close();
    }

    @Benchmark
    public boolean startJobOfAnotherJob() {
        return live.watches("65a1b2c3d4e5f60718293a4b");
    }

    @Benchmark
    public void childRuns() {
        String child = children.get(next++ % children.size());
        if (live.watches(child)) {
            live.progress(child, "running");
        }
    }

    @Benchmark
    public byte[] scientist() throws Exception {
        return JSON.writeValueAsBytes(live.user("user0", false));
    }
}
