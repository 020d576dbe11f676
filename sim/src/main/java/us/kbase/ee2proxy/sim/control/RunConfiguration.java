package us.kbase.ee2proxy.sim.control;

import java.util.List;
import java.util.Map;
import us.kbase.ee2proxy.sim.app.AppProfile;

/**
 * The body of {@code ee2sim.configure_run}: everything a workload run sets in the simulator.
 * It travels as a JSON-RPC call the real EE2 does not have, so it reaches the simulator through
 * any transparent proxy, and the run's parents and runners then call {@code ee2Url}.
 *
 * @param ee2Url where simulated parents and runners send EE2 calls; null: the simulator itself
 * @param speed simulated seconds per real second
 * @param runners switch simulated job runners on
 * @param defaultSeconds run time of apps without a profile
 * @param slots per-user running limit (null keeps the simulator's)
 * @param capacity cluster-wide running limit (null keeps the simulator's)
 * @param slotOverrides per-user limits
 * @param tokens tokens to accept (added to those already known)
 * @param apps app profiles
 * @param reset forget every job first
 */
public record RunConfiguration(
        String ee2Url,
        double speed,
        boolean runners,
        double defaultSeconds,
        Integer slots,
        Integer capacity,
        Map<String, Integer> slotOverrides,
        List<TokenGrant> tokens,
        List<AppProfile> apps,
        boolean reset) {

    public RunConfiguration {
        slotOverrides = slotOverrides == null ? Map.of() : Map.copyOf(slotOverrides);
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        apps = apps == null ? List.of() : List.copyOf(apps);
    }
}
