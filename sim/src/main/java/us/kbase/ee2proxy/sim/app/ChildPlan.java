package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a KBParallel-style parent runs: {@code count} children of {@code app}, at most
 * {@code concurrent} outstanding ({@code concurrent_njsw_tasks}), each resubmitted up to
 * {@code maxRetries} times when it fails.
 */
public record ChildPlan(String app, int count, int concurrent, int maxRetries) {
    public ChildPlan {
        if (count < 0 || concurrent < 1 || maxRetries < 0) {
            throw new IllegalArgumentException("children: count >= 0, concurrent >= 1, maxRetries >= 0");
        }
    }

    /** From YAML or JSON: {@code concurrent} defaults to 3 and {@code maxRetries} to 1, KBParallel's defaults. */
    @JsonCreator
    static ChildPlan of(@JsonProperty(value = "app", required = true) String app,
                        @JsonProperty(value = "count", required = true) int count,
                        @JsonProperty("concurrent") Integer concurrent,
                        @JsonProperty("maxRetries") Integer maxRetries) {
        return new ChildPlan(app, count, concurrent == null ? 3 : concurrent, maxRetries == null ? 1 : maxRetries);
    }
}
