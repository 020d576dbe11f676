package us.kbase.ee2proxy.policy.simulation;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.UserOverride;
import us.kbase.ee2proxy.policy.WhenFull;
import us.kbase.ee2proxy.policy.simulation.Work.Arrival;
import us.kbase.ee2proxy.policy.simulation.Work.Batch;
import us.kbase.ee2proxy.policy.simulation.Work.Leaf;
import us.kbase.ee2proxy.policy.simulation.Work.ParallelApp;

/** A random valid policy (alice on the defaults, bob on an override) and a random workload. */
record Scenario(AdmissionPolicy policy, List<Arrival> arrivals) {

    static final List<String> PARALLEL = List.of("kb_Bowtie2", "kb_concoct", "kb_Bwa", "kb_hisat2");
    static final List<String> USERS = List.of("alice", "bob");

    static Arbitrary<Scenario> any() {
        return with(limits());
    }

    /** Limits that break the validation rule by one: C_0 + maxNestingDepth <= S. */
    static Arbitrary<Scenario> oneDepthTooMany() {
        return with(limits(1));
    }

    private static Arbitrary<Scenario> with(Arbitrary<Limits> limits) {
        return Combinators.combine(limits, limits, workload()).as((alice, bob, arrivals) -> new Scenario(
                AdmissionPolicy.builder().source("generated").defaults(alice)
                        .override(new UserOverride("bob-lab", List.of("bob"), bob, Set.of("slots"))).build(),
                arrivals));
    }

    /** Limits that pass validation: C_0 + maxNestingDepth <= S - 1, waits in (0, 1800 s). */
    static Arbitrary<Limits> limits() {
        return limits(0);
    }

    private static Arbitrary<Limits> limits(int extraDepth) {
        return Arbitraries.integers().between(2, 12).flatMap(slots ->
                Arbitraries.integers().between(1, slots - 1).flatMap(perUser ->
                        Combinators.combine(
                                Arbitraries.integers().between(0, slots - 1 - perUser + extraDepth),
                                Arbitraries.of(WhenFull.class),
                                Arbitraries.integers().between(1, 1799),
                                Arbitraries.integers().between(0, 8),
                                Arbitraries.integers().between(1, 1799))
                        .as((depth, whenFull, parentWait, queued, childWait) -> new Limits(slots, perUser, depth,
                                whenFull, Duration.ofSeconds(parentWait), queued, Duration.ofSeconds(childWait)))));
    }

    static Arbitrary<List<Arrival>> workload() {
        Arbitrary<Arrival> arrival = Combinators.combine(
                Arbitraries.integers().between(0, 600), Arbitraries.of(USERS), topLevel()).as(Arrival::new);
        return arrival.list().ofMinSize(1).ofMaxSize(12);
    }

    static Arbitrary<Work> topLevel() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, leaf(false)),
                net.jqwik.api.Tuple.of(5, parallelApp(0)),
                net.jqwik.api.Tuple.of(2, batch()));
    }

    /** A leaf; as a child it may be a copy of its parent's own module (KBParallel). */
    static Arbitrary<Work> leaf(boolean child) {
        Arbitrary<String> app = child
                ? Arbitraries.of("kb_uploadmethods", "kb_quast", Work.SAME_MODULE)
                : Arbitraries.of("kb_uploadmethods", "kb_quast");
        return Combinators.combine(app, Arbitraries.integers().between(1, 400)).as(Leaf::new);
    }

    /** A parallel app whose children nest up to four levels, deeper than any valid policy admits. */
    static Arbitrary<Work> parallelApp(int depth) {
        Arbitrary<Work> child = depth >= 4
                ? leaf(true)
                : Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, leaf(true)),
                        net.jqwik.api.Tuple.of(2, Arbitraries.lazy(() -> parallelApp(depth + 1))));
        return Combinators.combine(Arbitraries.of(PARALLEL), Arbitraries.integers().between(1, 4),
                child.list().ofMaxSize(depth == 0 ? 5 : 3)).as(ParallelApp::new);
    }

    static Arbitrary<Work> batch() {
        Arbitrary<Work> member = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, leaf(false)), net.jqwik.api.Tuple.of(1, parallelApp(1)));
        return member.list().ofMinSize(1).ofMaxSize(8).map(Batch::new);
    }
}
