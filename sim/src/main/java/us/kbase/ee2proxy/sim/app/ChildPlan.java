package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a KBParallel-style parent runs: {@code count} children of {@code app}, at most
 * {@code concurrent} outstanding ({@code concurrent_njsw_tasks}), each child that ENDS in error
 * resubmitted up to {@code maxRetries} times. An error reply to a child's {@code run_job} is
 * not retried: as in KBParallel, it fails the whole parent.
 *
 * <p>In a workload: {@code children: {app: kb_Bowtie2.align_one_reads_to_assembly, count: 3,
 * concurrent: 3, maxRetries: 1, shape: kbparallel, wsid: 42}}; {@code shape} and {@code wsid}
 * are optional.
 *
 * @param shape the child run_job's shape: {@link ChildShape#KBPARALLEL} (the default, what the
 *     real KBParallel sends) or {@link ChildShape#LINKED} (parent_job_id set)
 * @param wsid the {@code wsid} the calling app passes to {@code run_batch}, or null (usual)
 */
public record ChildPlan(String app, int count, int concurrent, int maxRetries, ChildShape shape, Long wsid) {
    public ChildPlan {
        if (count < 0 || concurrent < 1 || maxRetries < 0) {
            throw new IllegalArgumentException("children: count >= 0, concurrent >= 1, maxRetries >= 0");
        }
        shape = shape == null ? ChildShape.KBPARALLEL : shape;
    }

    /** Children in the real KBParallel shape, no workspace. */
    public ChildPlan(String app, int count, int concurrent, int maxRetries) {
        this(app, count, concurrent, maxRetries, ChildShape.KBPARALLEL, null);
    }

    /** From YAML or JSON: {@code concurrent} defaults to 3 and {@code maxRetries} to 1, KBParallel's defaults. */
    @JsonCreator
    static ChildPlan of(@JsonProperty(value = "app", required = true) String app,
                        @JsonProperty(value = "count", required = true) int count,
                        @JsonProperty("concurrent") Integer concurrent,
                        @JsonProperty("maxRetries") Integer maxRetries,
                        @JsonProperty("shape") ChildShape shape,
                        @JsonProperty("wsid") Long wsid) {
        return new ChildPlan(app, count, concurrent == null ? 3 : concurrent, maxRetries == null ? 1 : maxRetries,
                shape, wsid);
    }

    public ChildPlan withApp(String newApp) {
        return new ChildPlan(newApp, count, concurrent, maxRetries, shape, wsid);
    }

    public ChildPlan withShape(ChildShape newShape) {
        return new ChildPlan(app, count, concurrent, maxRetries, newShape, wsid);
    }

    public ChildPlan withWsid(Long newWsid) {
        return new ChildPlan(app, count, concurrent, maxRetries, shape, newWsid);
    }
}
