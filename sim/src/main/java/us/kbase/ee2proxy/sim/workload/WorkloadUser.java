package us.kbase.ee2proxy.sim.workload;

import java.util.List;

/**
 * A workload's user and the tokens it submits with (the narrative gives each app its own
 * agent token, so one user arrives under many).
 */
public record WorkloadUser(String name, List<String> tokens, List<String> roles) {
    public WorkloadUser {
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        roles = roles == null ? List.of() : List.copyOf(roles);
    }

    public static WorkloadUser of(String name, String... tokens) {
        return new WorkloadUser(name, List.of(tokens), List.of());
    }
}
