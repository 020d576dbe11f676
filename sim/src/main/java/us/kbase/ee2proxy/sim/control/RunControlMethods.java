package us.kbase.ee2proxy.sim.control;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import us.kbase.ee2proxy.sim.rpc.Auth;
import us.kbase.ee2proxy.sim.rpc.MethodError;
import us.kbase.ee2proxy.sim.rpc.MethodSpec;

/**
 * The simulator's own JSON-RPC methods, {@code ee2sim.configure_run}, {@code ee2sim.snapshot} and
 * {@code ee2sim.changes} ({@code {"since": version}}: the jobs changed since, see {@link SimChanges}) and
 * {@code ee2sim.job_calls} ({@code {"job_ids": [...]}}: what each started job's runner and parallel app
 * asked EE2, its unanswered calls first, one line each, so a stalled run can say what a job waits on).
 * They need no token (EE2 treats unknown methods as open), and a transparent proxy forwards
 * them unchanged, so a workload run configures and watches the simulator through any URL.
 */
public final class RunControlMethods {
    public static final String CONFIGURE = "ee2sim.configure_run";
    public static final String SNAPSHOT = "ee2sim.snapshot";
    public static final String CHANGES = "ee2sim.changes";
    public static final String JOB_CALLS = "ee2sim.job_calls";
    /** Lenient on unknown keys so a newer runner can drive an older simulator. */
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private RunControlMethods() {}

    public static List<MethodSpec> specs(Consumer<RunConfiguration> configure, Supplier<SimSnapshot> snapshot,
                                         LongFunction<SimChanges> changes,
                                         Function<List<String>, Map<String, List<String>>> jobCalls) {
        return List.of(
                MethodSpec.of(CONFIGURE, Auth.NONE, (c, a) -> {
                    RunConfiguration cfg;
                    try {
                        cfg = JSON.treeToValue(a.get(0), RunConfiguration.class);
                    } catch (Exception e) {
                        throw new MethodError("ValueError", "bad run configuration: " + e.getMessage());
                    }
                    configure.accept(cfg);
                    return JSON.valueToTree(snapshot.get());
                }, "config"),
                MethodSpec.of(SNAPSHOT, Auth.NONE, (c, a) -> JSON.valueToTree(snapshot.get())),
                MethodSpec.of(CHANGES, Auth.NONE, (c, a) -> {
                    JsonNode since = a.get(0) == null ? null : a.get(0).get("since");
                    if (since == null || !since.canConvertToLong() || since.asLong() < 0) {
                        throw new MethodError("ValueError", "since must be a version from an earlier answer, or 0");
                    }
                    return JSON.valueToTree(changes.apply(since.asLong()));
                }, "params"),
                MethodSpec.of(JOB_CALLS, Auth.NONE, (c, a) -> {
                    JsonNode ids = a.get(0) == null ? null : a.get(0).get("job_ids");
                    if (ids == null || !ids.isArray()) {
                        throw new MethodError("ValueError", "job_ids must be a list of job ids");
                    }
                    List<String> list = new ArrayList<>();
                    ids.forEach(id -> list.add(id.asText()));
                    return JSON.valueToTree(jobCalls.apply(list));
                }, "params"));
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
