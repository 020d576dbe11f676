package us.kbase.ee2proxy.sim.app;

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
}
