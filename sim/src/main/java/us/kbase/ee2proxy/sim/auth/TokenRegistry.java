package us.kbase.ee2proxy.sim.auth;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokens auth2 accepts: configured when the simulator is built and added by each workload
 * run. Many tokens may name one user, as the narrative's agent tokens do.
 */
public final class TokenRegistry {
    private static final long FOURTEEN_DAYS = 14L * 24 * 3600 * 1000;

    private final Map<String, Identity> byToken = new ConcurrentHashMap<>();

    public void add(String token, String user, List<String> customRoles) {
        long now = System.currentTimeMillis();
        byToken.put(token, new Identity(UUID.randomUUID().toString(), user, customRoles, now, now + FOURTEEN_DAYS));
    }

    /** The identity for a token, or null when auth2 would call it invalid. */
    public Identity find(String token) {
        return token == null ? null : byToken.get(token);
    }
}
