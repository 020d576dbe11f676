package us.kbase.ee2proxy.sim.control;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import us.kbase.ee2proxy.sim.rpc.Auth;
import us.kbase.ee2proxy.sim.rpc.MethodError;
import us.kbase.ee2proxy.sim.rpc.MethodSpec;

/**
 * The simulator's own JSON-RPC methods, {@code ee2sim.configure_run}, {@code ee2sim.snapshot} and
 * {@code ee2sim.changes} ({@code {"since": version}}: the jobs changed since, see {@link SimChanges}).
 * They need no token (EE2 treats unknown methods as open), and a transparent proxy forwards
 * them unchanged, so a workload run configures and watches the simulator through any URL.
 */
public final class RunControlMethods {
    public static final String CONFIGURE = "ee2sim.configure_run";
    public static final String SNAPSHOT = "ee2sim.snapshot";
    public static final String CHANGES = "ee2sim.changes";
    /** Lenient on unknown keys so a newer runner can drive an older simulator. */
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private RunControlMethods() {}

    public static List<MethodSpec> specs(Consumer<RunConfiguration> configure, Supplier<SimSnapshot> snapshot,
                                         LongFunction<SimChanges> changes) {
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
                }, "params"));
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
