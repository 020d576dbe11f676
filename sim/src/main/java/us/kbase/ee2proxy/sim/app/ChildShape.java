package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a simulated parallel app's child {@code run_job} looks like on the wire. In a workload:
 * {@code children: {app: ..., count: 3, shape: linked}}; the default is {@code kbparallel}.
 */
public enum ChildShape {
    /**
     * What KBParallel 0.4.3 sends ({@code Job.run_remotely}): {@code parent_job_id} null (what
     * kb_Bowtie2 and kb_hisat2 pass to {@code run_batch}), {@code app_id} the module alone,
     * {@code wsid} the caller's workspace (usually null) and {@code remote_url}, a key only
     * KBParallel sends. Nothing in it tells EE2, or a proxy, that the job is a child.
     */
    @JsonProperty("kbparallel")
    KBPARALLEL,
    /**
     * The project's old assumption, kept so both shapes can be tested: {@code parent_job_id} is
     * the parent's job id, {@code app_id} is {@code Module/function} as the narrative sends it,
     * {@code wsid} only when set, and a {@code meta.run_id}; no {@code remote_url}.
     */
    @JsonProperty("linked")
    LINKED
}
