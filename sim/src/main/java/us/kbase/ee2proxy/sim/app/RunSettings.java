package us.kbase.ee2proxy.sim.app;

import java.net.URI;
import java.util.Map;

/**
 * How the current run's jobs behave: set when the simulator starts and replaced by each
 * workload run ({@code ee2sim.configure_run}).
 *
 * @param speed simulated seconds per real second (1000: a 60 s job takes 60 ms)
 * @param ee2Url where parents and runners send their EE2 calls (the simulator, or a proxy)
 * @param runners simulated job runners call start_job, check_job_canceled and finish_job
 * @param apps profiles by method; unknown apps run {@code defaultSeconds} and have no children
 */
public record RunSettings(double speed, URI ee2Url, boolean runners, Map<String, AppProfile> apps,
                          double defaultSeconds) {
    public RunSettings {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be > 0");
        }
        apps = Map.copyOf(apps);
    }

    public AppProfile profile(String method) {
        AppProfile p = apps.get(method);
        return p != null ? p : AppProfile.plain(method, defaultSeconds);
    }

    /** Real milliseconds for simulated seconds, at least 1. */
    public long millis(double simSeconds) {
        return Math.max(1, Math.round(simSeconds * 1000 / speed));
    }
}
