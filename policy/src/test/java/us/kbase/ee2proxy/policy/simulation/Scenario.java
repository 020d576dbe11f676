package us.kbase.ee2proxy.policy.simulation;

import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.UserOverride;
import us.kbase.ee2proxy.policy.WhenFull;
import us.kbase.ee2proxy.policy.simulation.Work.Arrival;
import us.kbase.ee2proxy.policy.simulation.Work.Batch;
import us.kbase.ee2proxy.policy.simulation.Work.Leaf;
import us.kbase.ee2proxy.policy.simulation.Work.ParallelApp;

/**
 * One case of {@link DeadlockFreedomTest}: a random valid policy (alice on the defaults, bob on an
 * override) and a random workload for the two of them.
 *
 * <p>Every generator here is a QuickTheories {@link Gen} made by a static factory; each call
 * builds a fresh one, so tests can take them as they are or combine them:
 * <ul>
 * <li>{@link #any()}: what the property runs on; {@link #oneDepthTooMany()}: the same workloads
 * under limits one nesting level past what validation allows;
 * <li>{@link #of(Gen, Gen)}: a scenario from any limits and any workload;
 * <li>{@link #limits()}: limits that pass validation; {@link #workload(Gen)}: 1 to 12 arrivals
 * of a given kind of top-level work, {@link #workload()} with the usual {@link #topLevel()} mix;
 * <li>the shapes of work: {@link #leaf(boolean)}, {@link #parallelApp(int)}, {@link #batch()}.
 * </ul>
 *
 * <p><b>Adding a shape of work.</b> Write a {@code Gen<Work>} for it next to the others, then give
 * it a weight where it can occur: as a top-level submission in {@link #topLevel()}, as a child in
 * {@link #parallelApp(int)}, or as a batch member in {@link #batch()}. Each of those is a weighted
 * pick ({@link Generate#frequency(List)}: a shape of weight w is drawn w times in the list's total
 * weight); a new entry leaves the other shapes' relative weights as they were. To keep a new shape
 * out of the existing property, build a separate generator with
 * {@code of(limits(), workload(yourTopLevel))} instead.
 *
 * <p><b>Numbers.</b> Counts and limits that span at most 20 values are drawn uniformly. Times
 * (arrival seconds, job seconds, waits) span hundreds of values and are drawn by
 * {@link #mostlySmall(int, int)}, as jqwik (this test's first engine) drew every number by
 * default: simultaneous arrivals, short jobs and short waits come up often enough to make holds,
 * refusals and aging happen (DeadlockFreedomTest checks how often), and the largest values stay
 * reachable.
 */
record Scenario(AdmissionPolicy policy, List<Arrival> arrivals) {

    static final List<String> PARALLEL = List.of("kb_Bowtie2", "kb_concoct", "kb_Bwa", "kb_hisat2");
    static final List<String> LEAF_APPS = List.of("kb_uploadmethods", "kb_quast");
    static final List<String> USERS = List.of("alice", "bob");
    /** The longest arrival second, job and wait (parents' and children's maxWait) in seconds. */
    static final int LAST_ARRIVAL = 600;
    static final int LONGEST_LEAF = 400;
    static final int LONGEST_WAIT = 1799;
    /** The most children a generated parallel app keeps outstanding (KBParallel's concurrent_njsw_tasks). */
    static final int MAX_CONCURRENCY = 4;

    /** Valid limits for alice and for bob, and the usual workload. */
    static Gen<Scenario> any() {
        return of(limits(), workload());
    }

    /** Limits that break the validation rule by one: C_0 + maxNestingDepth <= S. */
    static Gen<Scenario> oneDepthTooMany() {
        return of(limits(1), workload());
    }

    /** Alice on limits drawn from {@code limits}, bob on an override drawn from it separately. */
    static Gen<Scenario> of(Gen<Limits> limits, Gen<List<Arrival>> workload) {
        return in -> {
            Limits alice = limits.generate(in);
            Limits bob = limits.generate(in);
            return new Scenario(AdmissionPolicy.builder().source("generated").defaults(alice)
                    .override(new UserOverride("bob-lab", List.of("bob"), bob, Set.of("slots"))).build(),
                    workload.generate(in));
        };
    }

    /** Limits that pass validation: C_0 + maxNestingDepth <= S - 1, waits in (0, 1800 s). */
    static Gen<Limits> limits() {
        return limits(0);
    }

    /** Limits with maxNestingDepth up to {@code extraDepth} past the validation rule. */
    private static Gen<Limits> limits(int extraDepth) {
        Gen<Integer> slots = integers().between(2, 12);
        Gen<WhenFull> whenFull = arbitrary().enumValues(WhenFull.class);
        Gen<Integer> wait = mostlySmall(1, LONGEST_WAIT);
        Gen<Integer> queued = integers().between(0, 8);
        // children.perParent from the largest concurrency an app here has (4) up: as the real
        // KBParallel's ceiling (50) is to the default, so no real app's child is ever beyond it.
        Gen<Integer> perParent = integers().between(MAX_CONCURRENCY, 2 * MAX_CONCURRENCY);
        // children.reserve 0-2 and ownJobs.maxQueued 0-3 (KBase's default 0: every call waits for a
        // free slot), or never waiting, one time in five (the rules before ownJobs).
        Gen<Integer> reserve = integers().between(0, 2);
        Gen<Integer> ownQueued = integers().between(0, 4).map(q -> q == 4 ? Limits.OWN_JOBS_NEVER_WAIT : q);
        // children.reserveFor: always (never lent) one time in four, else a window of simulated
        // seconds, mostly short, so that users go away and come back within a workload.
        Gen<Duration> reserveFor = integers().between(0, 3).zip(wait,
                (always, s) -> always == 0 ? Limits.RESERVE_ALWAYS : Duration.ofSeconds(s));
        return in -> {
            int s = slots.generate(in);
            int perUser = integers().between(1, s - 1).generate(in);
            int depth = integers().between(0, s - 1 - perUser + extraDepth).generate(in);
            return new Limits(s, perUser, depth, whenFull.generate(in), Duration.ofSeconds(wait.generate(in)),
                    queued.generate(in), Duration.ofSeconds(wait.generate(in)), reserve.generate(in),
                    perParent.generate(in), ownQueued.generate(in), Duration.ofSeconds(wait.generate(in)),
                    reserveFor.generate(in));
        };
    }

    /** 1 to 12 arrivals of the usual {@link #topLevel()} mix. */
    static Gen<List<Arrival>> workload() {
        return workload(topLevel());
    }

    /** 1 to 12 arrivals, each by alice or bob in the first {@value #LAST_ARRIVAL} s, of {@code work}. */
    static Gen<List<Arrival>> workload(Gen<Work> work) {
        Gen<Integer> at = mostlySmall(0, LAST_ARRIVAL);
        Gen<String> user = arbitrary().pick(USERS);
        Gen<Arrival> arrival = in -> new Arrival(at.generate(in), user.generate(in), work.generate(in));
        return lists().of(arrival).ofSizeBetween(1, 12);
    }

    /** What a user submits: 3 in 10 plain jobs, 5 in 10 parallel apps, 2 in 10 batches. */
    static Gen<Work> topLevel() {
        return Generate.frequency(List.of(
                Pair.of(3, leaf(false)),
                Pair.of(5, parallelApp(0)),
                Pair.of(2, batch())));
    }

    /** A leaf; as a child it may be a copy of its parent's own module (KBParallel). */
    static Gen<Work> leaf(boolean child) {
        List<String> apps = new ArrayList<>(LEAF_APPS);
        if (child) {
            apps.add(Work.SAME_MODULE);
        }
        Gen<String> app = arbitrary().pick(apps);
        Gen<Integer> seconds = mostlySmall(1, LONGEST_LEAF);
        return in -> new Leaf(app.generate(in), seconds.generate(in));
    }

    /**
     * A parallel app at nesting depth {@code depth} (0: submitted by a user) with up to 5 children
     * at depth 0 and up to 3 below, 3 in 5 of them leaves and 2 in 5 parallel apps one level
     * deeper; children nest up to four levels, deeper than any valid policy admits.
     */
    static Gen<Work> parallelApp(int depth) {
        Gen<Work> child = depth >= 4
                ? leaf(true)
                : Generate.frequency(List.of(
                        Pair.of(3, leaf(true)),
                        Pair.of(2, parallelApp(depth + 1))));
        Gen<String> app = arbitrary().pick(PARALLEL);
        Gen<Integer> concurrency = integers().between(1, MAX_CONCURRENCY);
        Gen<List<Work>> children = lists().of(child).ofSizeBetween(0, depth == 0 ? 5 : 3);
        return in -> new ParallelApp(app.generate(in), concurrency.generate(in), children.generate(in));
    }

    /** A {@code run_job_batch} of 1 to 8 members, 3 in 4 of them leaves and 1 in 4 parallel apps at depth 1. */
    static Gen<Work> batch() {
        Gen<Work> member = Generate.frequency(List.of(
                Pair.of(3, leaf(false)),
                Pair.of(1, parallelApp(1))));
        return lists().of(member).ofSizeBetween(1, 8).map(Batch::new);
    }

    /**
     * An int in [min, max], most often a small one: the range is cut into bands, each a third as
     * wide as the rest of the range above min, until the band at min spans at most 20 values; a
     * band is picked uniformly, then a value in it uniformly. For 0..600 the bands are [0, 6],
     * [7, 21], [22, 65], [66, 199] and [200, 600], each drawn a fifth of the time. A range of at
     * most 21 values is one band: uniform. (This is how jqwik draws numbers by default.)
     */
    static Gen<Integer> mostlySmall(int min, int max) {
        List<Integer> starts = new ArrayList<>();
        for (int top = max; top - min > 20; ) {
            top = min + (top - min) / 3;
            starts.add(0, top);
        }
        starts.add(0, min);
        List<Gen<Integer>> bands = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            bands.add(integers().between(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) - 1 : max));
        }
        Gen<Integer> band = integers().between(0, bands.size() - 1);
        return in -> bands.get(band.generate(in)).generate(in);
    }
}
