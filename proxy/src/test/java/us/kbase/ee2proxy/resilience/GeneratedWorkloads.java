package us.kbase.ee2proxy.resilience;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyException;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.sim.workload.Submission;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadGenerator;
import us.kbase.ee2proxy.sim.workload.WorkloadUser;

/** The simulator's random workloads, several to one run, and the policy that names their parallel apps. */
final class GeneratedWorkloads {
    private GeneratedWorkloads() {}

    /** KBase's limits, with the generator's parent apps as the parallel apps. */
    static AdmissionPolicy policy() {
        try {
            return PolicyLoader.parse("""
                    parents:
                      apps: [kb_Parallel0, kb_Parallel1, kb_Parallel2]
                      maxPerUser: 5
                      maxNestingDepth: 2
                    """, "generated-workloads-policy");
        } catch (PolicyException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Workloads {@code seeds} run together: each keeps its own users (renamed {@code s<seed>-<user>})
     * and schedule; the app profiles are the first one's (the generator names its apps alike).
     * Job runners are on, so finishes reach EE2 (and a proxy) the way they do in production.
     */
    static Workload together(List<Long> seeds, WorkloadGenerator.Shape shape) {
        List<Workload> parts = new ArrayList<>();
        seeds.forEach(seed -> parts.add(WorkloadGenerator.generate(seed, shape)));
        Workload first = parts.get(0);
        Workload.Builder b = Workload.builder("random-" + seeds.get(0) + "-to-" + seeds.get(seeds.size() - 1))
                .speed(first.speed()).quietSeconds(first.quietSeconds()).runners(true).timeoutSeconds(240);
        first.apps().forEach(b::app);
        for (int i = 0; i < parts.size(); i++) {
            String prefix = "s" + seeds.get(i) + "-";
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
                b.submit(new Submission(s.at(), prefix + s.user(), s.app(), s.batch(), s.repeat(), s.every(), s.jobClass(),
                        s.cancelAfter(), s.retries(), s.token() == null ? null : tokens.get(s.token())));
            }
        }
        return b.build();
    }

    /** The seed a user of {@link #together} came from. */
    static long seedOf(String user) {
        return Long.parseLong(user.substring(1, user.indexOf('-')));
    }
}
