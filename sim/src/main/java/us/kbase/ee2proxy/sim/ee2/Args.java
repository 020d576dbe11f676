package us.kbase.ee2proxy.sim.ee2;

import com.fasterxml.jackson.databind.JsonNode;
import us.kbase.ee2proxy.sim.rpc.MethodError;

/** Reading an EE2 params dict as the Python methods do, with their errors. */
final class Args {
    private Args() {}

    /** The params dict; EE2's methods call {@code params.get(...)}, so anything else is an AttributeError. */
    static JsonNode dict(JsonNode params) throws MethodError {
        if (params == null || !params.isObject()) {
            String type = params == null || params.isNull() ? "NoneType" : params.isArray() ? "list"
                    : params.isTextual() ? "str" : params.isBoolean() ? "bool"
                    : params.isIntegralNumber() ? "int" : "float";
            throw new MethodError("AttributeError", "'" + type + "' object has no attribute 'get'");
        }
        return params;
    }

    /** A required job id. */
    static String jobId(JsonNode params) throws MethodError {
        JsonNode id = dict(params).get("job_id");
        if (id == null || id.isNull()) {
            throw MethodError.incorrectParams("job_id is required");
        }
        if (!id.isTextual()) {
            throw MethodError.incorrectParams("Job ID must be a string, not " + id);
        }
        return id.textValue();
    }

    static boolean asAdmin(JsonNode params) {
        return params != null && params.isObject() && PyTruth.of(params.get("as_admin"));
    }

    static String text(JsonNode params, String key) {
        JsonNode v = params == null ? null : params.get(key);
        return v != null && v.isTextual() ? v.textValue() : null;
    }

    static Long number(JsonNode params, String key) {
        JsonNode v = params == null ? null : params.get(key);
        return v != null && v.isIntegralNumber() ? v.longValue() : null;
    }
}
