package us.kbase.ee2proxy.policy.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.WhenFull;
import us.kbase.ee2proxy.policy.classify.JobClass.Batch;
import us.kbase.ee2proxy.policy.classify.JobClass.Child;
import us.kbase.ee2proxy.policy.classify.JobClass.Parent;
import us.kbase.ee2proxy.policy.classify.JobClass.Plain;
import us.kbase.ee2proxy.policy.decide.Admission;
import us.kbase.ee2proxy.policy.decide.Decision;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJob;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJobBatch;
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * Issue 16 item 8: how far a child is trusted. A job admitted as a running parallel app's child
 * records that parent in its claim, and the ledger admits it as a child only while the parent has
 * at most {@code children.perParent} unfinished children (50, the real KBParallel's ceiling); the
 * attributed children of a user (no parent_job_id) share {@code perParent} times the user's running
 * apps. Beyond it the call is what it would be without a parent.
 */
class ChildBoundTest {
    static final AdmissionPolicy POLICY = AdmissionPolicy.defaults();
    static final String APP = "kb_Bowtie2.align_reads_to_assembly_app";
    static final String WORKER = "kb_Bowtie2.align_one_reads_to_assembly";

    static Classification classify(AdmissionPolicy policy, JobCreation call, Map<String, SlotClaim> named,
            List<ActiveParent> running) {
        return Classifier.classify(policy, call, "alice", ParentLookup.of("alice", named, running), RetryLookup.NONE);
    }

    static RunJob naming(String method, String parent) {
        return new RunJob(RunJobParams.of(method).withParentJobId(parent), false);
    }

    static RunJob kbParallel(String method) {
        return new RunJob(RunJobParams.of(method).asKbParallelChild(), false);
    }

    static List<ActiveParent> running(int n, String app) {
        List<ActiveParent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ActiveParent("p" + i, SlotClaim.parentAt(0, app)));
        }
        return out;
    }

    @Test
    void aCopyOfTheParentsOwnModuleNamingItIsItsChildUpToPerParentThenANewParallelApp() {
        Classification c = classify(POLICY, naming(APP, "p0"), Map.of("p0", SlotClaim.parentAt(0, "kb_Bowtie2")),
                running(1, "kb_Bowtie2"));
        assertThat(c.jobClass()).isEqualTo(new Child("p0", "kb_Bowtie2"));
        assertThat(c.claims()).containsExactly(SlotClaim.childOf("p0", "kb_Bowtie2"));
        assertThat(c.childBounds()).containsExactly(new ChildBound("p0", Limits.KBPARALLEL_MAX_TASKS));
        // Beyond the bound: the parallel app it is, counted against the cap and held like any new one.
        Classification beyond = c.beyondBound();
        assertThat(beyond.jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
        assertThat(beyond.claims()).containsExactly(SlotClaim.parentAt(0, "kb_Bowtie2"));
        assertThat(beyond.fromParallelApp()).isFalse();
        assertThat(beyond.childBounds()).isEmpty();
        Decision d = Admission.decide(POLICY.forUser("alice"), new UserCounts(5, 5, Map.of("kb_Bowtie2", 5)), beyond,
                Duration.ZERO);
        assertThat(d).isInstanceOf(Decision.Hold.class);
        assertThat(Admission.decide(POLICY.forUser("alice"), new UserCounts(5, 5, Map.of("kb_Bowtie2", 5)), beyond,
                Duration.ofMinutes(10))).isInstanceOf(Decision.Refuse.class);
    }

    @Test
    void aJobOfAnotherModuleNamingTheParentIsBeyondTheBoundAPlainJob() {
        Classification c = classify(POLICY, naming("kb_quast.run_QUAST", "p0"),
                Map.of("p0", SlotClaim.parentAt(0, "kb_Bowtie2")), List.of());
        assertThat(c.jobClass()).isEqualTo(new Child("p0", "kb_quast"));
        assertThat(c.childBounds()).containsExactly(new ChildBound("p0", 50));
        // Not a child of p0 any more: naming a parent then only earns nothing (not even low priority).
        assertThat(c.beyondBound().jobClass()).isEqualTo(new Plain("kb_quast"));
    }

    @Test
    void attributedChildrenShareTheBoundOfEveryRunningApp() {
        for (int apps = 1; apps <= 5; apps++) {
            Classification c = classify(POLICY, kbParallel(WORKER), Map.of(), running(apps, "kb_Bowtie2"));
            assertThat(c.jobClass()).isInstanceOf(Child.class);
            assertThat(c.claims()).containsExactly(SlotClaim.childOf(ChildBound.ATTRIBUTED, "kb_Bowtie2"));
            assertThat(c.childBounds()).containsExactly(new ChildBound(ChildBound.ATTRIBUTED, 50 * apps));
            assertThat(c.beyondBound().jobClass()).isEqualTo(new Parent(0, "kb_Bowtie2", null));
        }
        // A task of another module attributed to the deepest app counts with them, and is plain beyond.
        Classification quast = classify(POLICY, kbParallel("kb_quast.run_QUAST"), Map.of(), running(2, "kb_Bowtie2"));
        assertThat(quast.childBounds()).containsExactly(new ChildBound(ChildBound.ATTRIBUTED, 100));
        assertThat(quast.beyondBound().jobClass()).isEqualTo(new Plain("kb_quast"));
    }

    @Test
    void aParentJobIdNamingNoRunningAppEarnsNoBoundAndNestedAppsAreNotChildren() {
        // Only lowers its priority: a child with no bound (it takes no parent's trust).
        Classification unknown = classify(POLICY, naming("kb_quast.run", "nobody"), Map.of(), List.of());
        assertThat(unknown.jobClass()).isEqualTo(new Child("nobody", "kb_quast"));
        assertThat(unknown.childBounds()).isEmpty();
        assertThat(unknown.beyondBound()).isNull();
        assertThat(unknown.claims()).containsExactly(SlotClaim.job("kb_quast"));
        // A nested app of another module counts against its own cap: no child bound.
        Classification nested = classify(POLICY, naming("kb_concoct.run", "p0"),
                Map.of("p0", SlotClaim.parentAt(0, "kb_Bowtie2")), List.of());
        assertThat(nested.jobClass()).isEqualTo(new Parent(1, "kb_concoct", "p0"));
        assertThat(nested.childBounds()).isEmpty();
    }

    @Test
    void aBatchOfCopiesNamingTheParentIsBoundedAsOneAndBeyondItIsABatchOfParallelApps() {
        List<RunJobParams> copies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            copies.add(RunJobParams.of(APP).withParentJobId("p0"));
        }
        Classification c = classify(POLICY, new RunJobBatch(copies, false),
                Map.of("p0", SlotClaim.parentAt(0, "kb_Bowtie2")), List.of());
        assertThat(c.claims()).containsOnly(SlotClaim.childOf("p0", "kb_Bowtie2")).hasSize(3);
        assertThat(c.childBounds()).containsExactly(new ChildBound("p0", 50));
        assertThat(((Batch) c.beyondBound().jobClass()).parents()).isEqualTo(3);
    }

    @Test
    void perParentIsPerUserAndTheDemandCarriesTheBoundThroughAgingButNotAReplay() {
        AdmissionPolicy three = POLICY.toBuilder().defaults(new Limits(10, 5, 2, WhenFull.HOLD, Duration.ofMinutes(10),
                0, Duration.ofMinutes(15), 1, 3)).build();
        Classification c = classify(three, naming(WORKER, "p0"), Map.of("p0", SlotClaim.parentAt(0, "kb_Bowtie2")),
                List.of());
        assertThat(c.childBounds()).containsExactly(new ChildBound("p0", 3));
        EffectivePolicy alice = three.forUser("alice");
        SlotDemand aged = Admission.demand(alice, c, Duration.ofMinutes(15));
        assertThat(aged.jobLimit()).isEqualTo(SlotDemand.UNLIMITED);
        assertThat(aged.childBounds()).containsExactly(new ChildBound("p0", 3));
        assertThat(aged.unlimited().childBounds()).containsExactly(new ChildBound("p0", 3));
        assertThat(aged.anyway().childBounds()).isEmpty();
        assertThat(aged.childrenOf(new ChildBound("p0", 3))).isEqualTo(1);
        assertThat(aged.childrenOf(new ChildBound("p1", 3))).isZero();
        assertThat(aged.childrenOf(new ChildBound(ChildBound.ATTRIBUTED, 3))).isEqualTo(1);
    }

    /**
     * For any number of running apps, any perParent and either shape: every claim of a running
     * app's child has exactly one bound, of perParent (named) or perParent x running apps
     * (attributed); beyond it the call has no child claim, is not from a parallel app, and is the
     * class the same job gets with no parent at all.
     */
    @Test
    void everyChildClaimIsBoundedAndBeyondTheBoundTheCallIsWhatItIsWithoutAParent() {
        qt().withExamples(2_000).forAll(integers().between(1, 7), integers().between(1, 100), booleans().all(),
                integers().between(0, 3)).checkAssert((apps, perParent, named, which) -> {
                    AdmissionPolicy p = POLICY.toBuilder().defaults(new Limits(10, 5, 2, WhenFull.HOLD,
                            Duration.ofMinutes(10), 0, Duration.ofMinutes(15), 1, perParent)).build();
                    String method = List.of(APP, WORKER, "kb_quast.run", "kb_concoct.run").get(which);
                    List<ActiveParent> running = running(apps, "kb_Bowtie2");
                    Map<String, SlotClaim> claims = new HashMap<>();
                    running.forEach(a -> claims.put(a.jobId(), a.claim()));
                    RunJobParams job = named ? RunJobParams.of(method).withParentJobId("p0")
                            : RunJobParams.of(method).asKbParallelChild();
                    Classification c = classify(p, new RunJob(job, false), claims, running);
                    for (SlotClaim claim : c.claims()) {
                        if (claim.childOf() != null) {
                            int limit = named ? perParent : perParent * apps;
                            assertThat(c.childBounds()).containsExactly(new ChildBound(claim.childOf(), limit));
                            assertThat(claim.childOf()).isEqualTo(named ? "p0" : ChildBound.ATTRIBUTED);
                        }
                    }
                    if (c.beyondBound() == null) {
                        assertThat(c.claims()).allMatch(claim -> claim.childOf() == null);
                        return;
                    }
                    Classification alone = Classifier.classify(p, new RunJob(RunJobParams.of(method), false), "alice",
                            ParentLookup.NONE, RetryLookup.NONE);
                    assertThat(c.beyondBound().jobClass()).isEqualTo(alone.jobClass());
                    assertThat(c.beyondBound().claims()).isEqualTo(alone.claims());
                    assertThat(c.beyondBound().fromParallelApp()).isFalse();
                });
    }
}
