package us.kbase.ee2proxy.resilience;

import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyException;
import us.kbase.ee2proxy.policy.load.PolicyLoader;

/** The policy that names the simulator's random workloads' parallel apps ({@link us.kbase.ee2proxy.sim.workload.CombinedWorkloads} runs several at once). */
final class GeneratedWorkloads {
    private GeneratedWorkloads() {}

    /** KBase's limits, with the generator's parent apps (their modules) as the parallel apps. */
    static AdmissionPolicy policy() {
        return policy("");
    }

    /** The same with {@code extra} YAML appended (e.g. an {@code ownJobs:} block). */
    static AdmissionPolicy policy(String extra) {
        try {
            return PolicyLoader.parse("""
                    parents:
                      apps: [kb_Parallel0, kb_Parallel1, kb_Parallel2]
                      maxPerUser: 5
                      maxNestingDepth: 2
                    """ + extra, "generated-workloads-policy");
        } catch (PolicyException e) {
            throw new IllegalStateException(e);
        }
    }
}
