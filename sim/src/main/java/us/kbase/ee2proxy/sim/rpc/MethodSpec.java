package us.kbase.ee2proxy.sim.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.Collections;
import java.util.List;

/**
 * One JSON-RPC method as EE2's server registers it.
 *
 * @param name full name, "execution_engine2.run_job"
 * @param auth token requirement
 * @param argNames the Python parameter names after {@code ctx} (their count is the arity)
 * @param types jsonrpcbase's positional {@code types}
 * @param body the implementation
 */
public record MethodSpec(String name, Auth auth, List<String> argNames, List<JsonNodeType> types, Body body) {

    /** An EE2 method body: returns the value EE2 wraps in {@code result}'s list, or null. */
    @FunctionalInterface
    public interface Body {
        JsonNode call(Caller caller, List<JsonNode> args) throws MethodError;
    }

    /** The part after the dot, as Python names the function. */
    public String shortName() {
        return name.substring(name.indexOf('.') + 1);
    }

    /** A method whose arguments are all dicts, as most of EE2's are. */
    public static MethodSpec of(String name, Auth auth, Body body, String... argNames) {
        List<JsonNodeType> types = Collections.nCopies(argNames.length, JsonNodeType.OBJECT);
        return new MethodSpec(name, auth, List.of(argNames), types, body);
    }

    public MethodSpec withTypes(JsonNodeType... positional) {
        return new MethodSpec(name, auth, argNames, List.of(positional), body);
    }
}
