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
 * @param run which run of the simulator these settings are for: every reset starts the next. The
 *     parents and runners of a run's jobs send it with each call ({@link #RUN_HEADER}), and the
 *     simulator refuses a call of an earlier run, so nothing the last run still had in flight (a
 *     child's run_job, a start_job) acts on the next one
 */
public record RunSettings(double speed, URI ee2Url, boolean runners, Map<String, AppProfile> apps,
                          double defaultSeconds, long run) {
    /** The header that carries {@link #run} on the calls of the simulator's own parents and runners. */
    public static final String RUN_HEADER = "X-Ee2sim-Run";

    /** Settings for the simulator's first run. */
    public RunSettings(double speed, URI ee2Url, boolean runners, Map<String, AppProfile> apps, double defaultSeconds) {
        this(speed, ee2Url, runners, apps, defaultSeconds, 0);
    }

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
