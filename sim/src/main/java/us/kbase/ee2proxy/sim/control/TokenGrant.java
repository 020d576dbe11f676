package us.kbase.ee2proxy.sim.control;

import java.util.List;

/** One token auth2 should accept for the run, and whose it is. */
public record TokenGrant(String token, String user, List<String> roles) {
    public TokenGrant {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }
}
