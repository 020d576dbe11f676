package us.kbase.ee2proxy.sim;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.control.TokenGrant;

/**
 * {@code serve --config FILE}: the simulator's YAML.
 *
 * <pre>
 * slots: 10            # per-user running limit
 * capacity: 1000       # cluster-wide running limit
 * speed: 1             # simulated seconds per real second
 * runners: false       # simulated job runners call start_job / check_job_canceled / finish_job
 * defaultSeconds: 60   # run time of apps without a profile
 * keepFinishedJobs: 100000   # forget older finished jobs (long benchmarks); default keep all
 * tokens:
 *   - {token: alice-token, user: alice}
 *   - {token: admin-token, user: ops, roles: [EE2_ADMIN]}
 * apps:
 *   - {method: kb_Bowtie2.align_one, seconds: 120}
 *   - {method: kb_Bowtie2.align_reads_to_assembly_app, seconds: 5,
 *      children: {app: kb_Bowtie2.align_one, count: 3, concurrent: 3, maxRetries: 1}}
 * </pre>
 */
record ServeConfig(Integer slots, Integer capacity, Double speed, Boolean runners, Double defaultSeconds,
                   Integer keepFinishedJobs, List<TokenGrant> tokens, List<AppProfile> apps) {

    static ServeConfig load(Path file) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        return yaml.readValue(file.toFile(), ServeConfig.class);
    }

    void applyTo(Ee2Simulator.Builder b) {
        if (slots != null) {
            b.slots(slots);
        }
        if (capacity != null) {
            b.capacity(capacity);
        }
        if (speed != null) {
            b.speed(speed);
        }
        if (runners != null) {
            b.runners(runners);
        }
        if (defaultSeconds != null) {
            b.defaultSeconds(defaultSeconds);
        }
        if (keepFinishedJobs != null) {
            b.keepFinishedJobs(keepFinishedJobs);
        }
        if (tokens != null) {
            tokens.forEach(t -> b.token(t.token(), t.user(), t.roles().toArray(String[]::new)));
        }
        if (apps != null) {
            apps.forEach(b::app);
        }
    }
}
