package us.kbase.ee2proxy.sim.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.ChildPlan;
import us.kbase.ee2proxy.sim.app.ChildShape;

/**
 * Random workloads from a seed, the same seed giving the same workload: several users (each
 * with several tokens), KBParallel-style parents nested up to a depth, plain jobs, batches,
 * flaky apps that parents and users retry, cancels, and late interactive jobs. Direct runs of
 * such workloads deadlock whenever some user's parents, nesting included, fill every slot.
 *
 * <p>Nesting is the kb_BatchApp pattern: the children of parallel app {@code kb_Parallel<d>}
 * are runs of parallel app {@code kb_Parallel<d+1>} (a child whose module is itself a parallel
 * app), down to {@code maxDepth} (at most {@value #MAX_DEPTH}), whose children are leaves.
 * Children are sent as KBParallel 0.4.3 sends them ({@link ChildShape#KBPARALLEL}: no
 * {@code parent_job_id}, {@code app_id} the module), except in one workload in four (seeds
 * divisible by 4, see {@link #childShape}), which keeps the old {@link ChildShape#LINKED} shape so
 * both are exercised.
 */
public final class WorkloadGenerator {

    /**
     * How big and how varied.
     *
     * @param users users
     * @param maxDepth deepest nesting of parents (0: parents run only leaf children)
     * @param maxParentsPerUser top-level parents per user, at most
     * @param maxChildren children per parent, at most
     * @param maxPlainPerUser plain jobs per user, at most
     * @param speed the workload's speed
     */
    public record Shape(int users, int maxDepth, int maxParentsPerUser, int maxChildren, int maxPlainPerUser,
                        boolean batches, boolean retries, boolean cancels, boolean interactive, double speed) {

        /** Three users, nesting depth 2, up to 6 parents each: some seeds deadlock a direct run. */
        public static Shape standard() {
            return new Shape(3, 2, 6, 3, 4, true, true, true, true, 200);
        }
    }

    static final String LEAF = "kb_Leaf.run_leaf";
    static final String FLAKY = "kb_Flaky.run_flaky";
    static final String PLAIN = "kb_Plain.run_plain";
    static final String INTERACTIVE = "kb_Interactive.import_reads";
    /** Deeper nesting than KBase's policy allows (maxNestingDepth 2) is never generated. */
    static final int MAX_DEPTH = 2;

    private WorkloadGenerator() {}

    /**
     * The child run_job shape of workload {@code seed}: {@link ChildShape#LINKED} for one seed in
     * four (divisible by 4), else KBParallel's real one. From the seed alone, so the random draws
     * (and thus the rest of every workload) are what they were before shapes existed.
     */
    public static ChildShape childShape(long seed) {
        return Math.floorMod(seed, 4) == 0 ? ChildShape.LINKED : ChildShape.KBPARALLEL;
    }

    /** The parent app at nesting level {@code depth} (its children are level depth+1, or leaves). */
    public static String parentApp(int depth) {
        return "kb_Parallel" + depth + ".run_parallel";
    }

    public static Workload generate(long seed, Shape shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Workload.Builder b = Workload.builder("random-" + seed).speed(shape.speed()).quietSeconds(2);
        b.app(AppProfile.plain(LEAF, between(rnd, 20, 120)));
        b.app(AppProfile.plain(FLAKY, between(rnd, 10, 60)).withFailures(rnd.nextInt(1, 3)));
        b.app(AppProfile.plain(PLAIN, between(rnd, 10, 90)));
        b.app(AppProfile.plain(INTERACTIVE, between(rnd, 5, 30)));
        ChildShape childShape = childShape(seed);
        // Without parent_job_id the proxy infers which app sent a nested app: exactly for one level
        // of nesting (KBase's kb_BatchApp running sample-set apps), not deeper (README, "How
        // children are recognised"). Deeper nesting is generated in the linked shape.
        int maxDepth = Math.min(shape.maxDepth(), childShape == ChildShape.KBPARALLEL ? 1 : MAX_DEPTH);
        for (int d = maxDepth; d >= 0; d--) {
            String child = d == maxDepth ? (rnd.nextInt(4) == 0 ? FLAKY : LEAF) : parentApp(d + 1);
            ChildPlan plan = new ChildPlan(child, rnd.nextInt(1, shape.maxChildren() + 1), rnd.nextInt(1, 4),
                    rnd.nextInt(0, 3)).withShape(childShape);
            b.app(AppProfile.parent(parentApp(d), between(rnd, 2, 10), plan));
        }
        for (int u = 0; u < shape.users(); u++) {
            String user = "user" + u;
            List<String> tokens = new ArrayList<>();
            for (int t = 0, n = rnd.nextInt(1, 4); t < n; t++) {
                tokens.add(user + "-token-" + t);
            }
            b.user(user, tokens.toArray(String[]::new));
            submissions(rnd, shape, user).forEach(b::submit);
        }
        return b.build();
    }

    private static List<Submission> submissions(SplittableRandom rnd, Shape shape, String user) {
        List<Submission> out = new ArrayList<>();
        for (int i = 0, n = rnd.nextInt(0, shape.maxParentsPerUser() + 1); i < n; i++) {
            int depth = rnd.nextInt(0, Math.min(shape.maxDepth(), MAX_DEPTH) + 1);
            out.add(Submission.job(between(rnd, 0, 60), user, parentApp(depth)).withClass("parallel-app"));
        }
        for (int i = 0, n = rnd.nextInt(0, shape.maxPlainPerUser() + 1); i < n; i++) {
            out.add(Submission.job(between(rnd, 0, 90), user, PLAIN).withClass("plain"));
        }
        if (shape.batches() && rnd.nextBoolean()) {
            String[] apps = new String[rnd.nextInt(2, 7)];
            for (int i = 0; i < apps.length; i++) {
                apps[i] = rnd.nextBoolean() ? PLAIN : LEAF;
            }
            out.add(Submission.batch(between(rnd, 0, 60), user, apps).withClass("batch"));
        }
        if (shape.retries() && rnd.nextBoolean()) {
            out.add(Submission.job(between(rnd, 0, 60), user, FLAKY).withRetries(2).withClass("retried"));
        }
        if (shape.cancels() && rnd.nextBoolean()) {
            out.add(Submission.job(between(rnd, 0, 60), user, PLAIN).cancelledAfter(between(rnd, 1, 30))
                    .withClass("cancelled"));
        }
        if (shape.interactive()) {
            for (int i = 0, n = rnd.nextInt(1, 3); i < n; i++) {
                out.add(Submission.job(between(rnd, 60, 150), user, INTERACTIVE).withClass("interactive"));
            }
        }
        return out;
    }

    /** Whole simulated seconds in [from, to]. */
    private static double between(SplittableRandom rnd, int from, int to) {
        return rnd.nextInt(from, to + 1);
    }
}
