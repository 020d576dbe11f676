package us.kbase.ee2proxy.sim.ee2;

import com.fasterxml.jackson.databind.JsonNode;

/** Python's {@code bool(value)} for a decoded JSON value: the string "false" is true. */
final class PyTruth {
    private PyTruth() {}

    static boolean of(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.isIntegralNumber() ? v.bigIntegerValue().signum() != 0 : v.doubleValue() != 0.0;
        }
        if (v.isTextual()) {
            return !v.textValue().isEmpty();
        }
        return v.size() > 0;
    }
}
