package us.kbase.ee2proxy.bench.policy;

import java.time.Duration;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;
import us.kbase.ee2proxy.policy.decide.Admission;
import us.kbase.ee2proxy.policy.decide.Decision;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * The pure part of admission: classify a sniffed run_job under KBase's default policy, resolve
 * the user's limits, and decide against counts, for each kind of job. The counts are a busy
 * user's (3 parents, 8 jobs): a parent is admitted, a child is admitted, and {@code parentFull}
 * shows the costlier hold path (its reason text is built).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DecisionBenchmark {
    private static final String USER = "alice";
    private static final String PARENT_ID = "65a1b2c3d4e5f60718293a4b";

    @Param({"plain", "parent", "child", "parentFull"})
    String job;

    private AdmissionPolicy policy;
    private JobCreation call;
    private ParentLookup parents;
    private UserCounts counts;

    @Setup
    public void setUp() {
        policy = AdmissionPolicy.defaults();
        parents = ParentLookup.of(USER, Map.of(PARENT_ID, SlotClaim.parentAt(0, "kb_Bowtie2")));
        counts = new UserCounts(3, 8, Map.of("kb_Bowtie2", 2, "kb_concoct", 1));
        RunJobParams params = switch (job) {
            case "plain" -> params("kb_uploadmethods.import_reads_from_staging", null);
            case "parent" -> params("kb_Bowtie2.align_reads_to_assembly_app", null);
            case "child" -> params("kb_trimmomatic.run_trimmomatic", PARENT_ID);
            case "parentFull" -> {
                counts = new UserCounts(5, 9, Map.of("kb_Bowtie2", 3, "kb_concoct", 2));
                yield params("kb_Bowtie2.align_reads_to_assembly_app", null);
            }
            default -> throw new IllegalArgumentException(job);
        };
        call = new JobCreation.RunJob(params, false);
        Decision d = classifyAndDecide();
        boolean expectHold = job.equals("parentFull");
        if ((d instanceof Decision.Hold) != expectHold) {
            throw new IllegalStateException(job + " decided " + d);
        }
    }

    @Benchmark
    public Decision classifyAndDecide() {
        Classification c = Classifier.classify(policy, call, USER, parents, RetryLookup.NONE);
        return Admission.decide(policy.forUser(c.ledgerUser()), counts, c, Duration.ZERO);
    }

    private static RunJobParams params(String method, String parentJobId) {
        String appId = method.replace('.', '/');
        return new RunJobParams(method, appId, parentJobId, false, JobRequirements.NONE);
    }
}
