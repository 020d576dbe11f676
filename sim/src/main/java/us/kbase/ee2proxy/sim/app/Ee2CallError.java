package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.databind.JsonNode;

/** An EE2 call that did not return a result: EE2's error object, or a bare HTTP status. */
public final class Ee2CallError extends RuntimeException {
    private final transient JsonNode error;
    private final int httpStatus;

    Ee2CallError(String method, JsonNode error) {
        super(method + ": " + error.path("name").asText() + " (" + error.path("code").asInt() + "): "
                + error.path("message").asText());
        this.error = error;
        this.httpStatus = 500;
    }

    Ee2CallError(String method, int httpStatus) {
        super(method + ": HTTP " + httpStatus);
        this.error = null;
        this.httpStatus = httpStatus;
    }

    /** EE2's error object ({code, name, message, error}), or null when the reply was not one. */
    public JsonNode error() {
        return error;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
