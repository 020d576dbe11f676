package us.kbase.ee2proxy.sim.ee2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Supplier;
import us.kbase.ee2proxy.sim.rpc.Auth;
import us.kbase.ee2proxy.sim.rpc.Caller;
import us.kbase.ee2proxy.sim.rpc.MethodSpec;

/** ver, status, list_config, get_client_groups and the admin checks: constant, cheap answers. */
final class ServiceMethods {
    static final String VERSION = "0.0.15";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonNode ver = NODES.textNode(VERSION);
    private final Supplier<String> externalUrl;
    private volatile ObjectNode config;
    private final ArrayNode clientGroups = NODES.arrayNode();

    ServiceMethods(Supplier<String> externalUrl) {
        this.externalUrl = externalUrl;
        for (String g : List.of("njs", "bigmem", "bigmemlong", "extreme", "concierge", "hpc", "kb_upload",
                "kb_upload_bulk", "terabyte", "multi_tb")) {
            clientGroups.add(g);
        }
    }

    /** EE2's public configuration; built on first use because the URL is known only once bound. */
    private ObjectNode config() {
        ObjectNode c = config;
        if (c == null) {
            c = buildConfig(externalUrl.get());
            config = c;
        }
        return c;
    }

    /** EE2's list_config: exactly its public keys. */
    private static ObjectNode buildConfig(String externalUrl) {
        ObjectNode config = NODES.objectNode();
        config.put("external-url", externalUrl);
        config.put("kbase-endpoint", externalUrl);
        config.put("workspace-url", externalUrl + "ws");
        config.put("catalog-url", externalUrl + "catalog");
        config.put("shock-url", externalUrl + "shock-api");
        config.put("handle-url", externalUrl + "handle_service");
        config.put("auth-service-url", externalUrl + "api/legacy/KBase/Sessions/Login");
        config.put("auth-service-url-v2", externalUrl + "api/V2/token");
        config.put("auth-service-url-allow-insecure", "false");
        config.put("scratch", "/kb/module/work/tmp");
        config.put("executable", "execute_runner.sh");
        config.put("docker_timeout", "604805");
        config.put("initialdir", "/condor_shared");
        config.put("transfer_input_files", "/condor_shared/JobRunner.tgz");
        return config;
    }

    List<MethodSpec> specs() {
        String p = "execution_engine2.";
        return List.of(
                MethodSpec.of(p + "ver", Auth.NONE, (c, a) -> ver),
                MethodSpec.of(p + "status", Auth.NONE, (c, a) -> status()),
                MethodSpec.of(p + "list_config", Auth.OPTIONAL, (c, a) -> config()),
                MethodSpec.of(p + "get_client_groups", Auth.NONE, (c, a) -> clientGroups),
                MethodSpec.of(p + "is_admin", Auth.REQUIRED, (c, a) -> NODES.booleanNode(admin(c))),
                MethodSpec.of(p + "get_admin_permission", Auth.REQUIRED, (c, a) -> permission(c)));
    }

    /** EE2's status: server time in (float) seconds, commit, version, service name. */
    private static JsonNode status() {
        ObjectNode s = NODES.objectNode();
        s.put("server_time", System.currentTimeMillis() / 1000.0);
        s.put("git_commit", "0000000000000000000000000000000000000000");
        s.put("version", VERSION);
        s.put("service", "KBase Execution Engine");
        return s;
    }

    private static boolean admin(Caller c) {
        return c.identity() != null && c.identity().ee2Reader();
    }

    private static JsonNode permission(Caller c) {
        ObjectNode out = NODES.objectNode();
        String p = c.identity() == null ? "n" : c.identity().ee2Admin() ? "w" : c.identity().ee2Reader() ? "r" : "n";
        out.put("permission", p);
        return out;
    }
}
