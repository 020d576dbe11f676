package us.kbase.ee2proxy.sim.workload;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.ChildPlan;

/**
 * Several of {@link WorkloadGenerator}'s random workloads in one run: fewer, longer runs load EE2
 * (and a proxy) the way many users at once do, and cost less set-up per workload.
 */
public final class CombinedWorkloads {
    private CombinedWorkloads() {}

    /**
     * Workloads {@code seeds} run together: each keeps its own users (renamed {@code s<seed>-<user>}),
     * schedule and apps (functions renamed {@code <function>_s<seed>}, modules kept, so the policy's
     * parallel apps still match): its own run times, child plans and flaky app, whose first runs
     * fail in each workload, not once in the whole run. Job runners are on, so finishes reach EE2
     * (and a proxy) the way they do in production.
     */
    public static Workload together(List<Long> seeds, WorkloadGenerator.Shape shape) {
        List<Workload> parts = new ArrayList<>();
        seeds.forEach(seed -> parts.add(WorkloadGenerator.generate(seed, shape)));
        Workload first = parts.get(0);
        Workload.Builder b = Workload.builder("random-" + seeds.get(0) + "-to-" + seeds.get(seeds.size() - 1))
                .speed(first.speed()).quietSeconds(first.quietSeconds()).runners(true).timeoutSeconds(240);
        for (int i = 0; i < parts.size(); i++) {
            long seed = seeds.get(i);
            String prefix = "s" + seed + "-";
            for (AppProfile a : parts.get(i).apps()) {
                ChildPlan c = a.children();
                // withApp keeps the plan's child shape (KBParallel's, or the old linked one for a seed in four)
                b.app(new AppProfile(app(a.method(), seed), a.seconds(), a.failures(), c == null ? null
                        : c.withApp(app(c.app(), seed))));
            }
            Map<String, String> tokens = new HashMap<>();
            for (WorkloadUser u : parts.get(i).users()) {
                List<String> renamed = new ArrayList<>();
                u.tokens().forEach(t -> {
                    tokens.put(t, prefix + t);
                    renamed.add(prefix + t);
                });
                b.user(new WorkloadUser(prefix + u.name(), renamed, u.roles()));
            }
            for (Submission s : parts.get(i).submissions()) {
                b.submit(new Submission(s.at(), prefix + s.user(), s.app() == null ? null : app(s.app(), seed),
                        s.batch() == null ? null : s.batch().stream().map(a -> app(a, seed)).toList(), s.repeat(),
                        s.every(), s.jobClass(), s.cancelAfter(), s.retries(),
                        s.token() == null ? null : tokens.get(s.token())));
            }
        }
        return b.build();
    }

    /** {@code Module.function} of workload {@code seed}: {@code Module.function_s<seed>}. */
    private static String app(String method, long seed) {
        return method + "_s" + seed;
    }

    /** The seed a user of {@link #together} came from. */
    public static long seedOf(String user) {
        return Long.parseLong(user.substring(1, user.indexOf('-')));
    }
}
