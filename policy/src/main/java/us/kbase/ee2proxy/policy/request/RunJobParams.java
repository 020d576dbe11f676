package us.kbase.ee2proxy.policy.request;

import java.util.Objects;

/**
 * The fields of one EE2 {@code RunJobParams} that admission reads. Everything else in the
 * request passes through to EE2 untouched; this is a read-only view, never re-serialized.
 *
 * <p>Values follow what EE2 (Python) would see: {@code method} is stripped of surrounding
 * whitespace as EE2's {@code check_string} strips it, and so is each side of its '.' (so
 * {@code " kb_Bowtie2 . align "} runs kb_Bowtie2.align); {@code parentJobId} is null when the key
 * is absent or its value is falsy in Python ({@code null}, {@code ""}, {@code 0}, {@code false}, {@code []}, {@code {}}); a non-string truthy
 * value is kept as its JSON text. {@code asAdmin} is Python truthiness of {@code as_admin}.
 *
 * @param method "Module.function", stripped as a whole and on each side of its '.', or null when
 *     absent or not a string
 * @param appId "Module/function" (KBParallel sends the module alone), stripped as {@code method} is
 *     (on each side of its '/', else of its '.'), or null when absent or not a string
 * @param parentJobId the parent's job id, or null (see above)
 * @param asAdmin Python truthiness of {@code as_admin}
 * @param requirements {@code job_requirements}, {@link JobRequirements#NONE} when absent
 * @param sentRemoteUrl the object has a {@code remote_url} key, whatever its value: only
 *     KBParallel's {@code Job.run_remotely} sends it (EE2 ignores it), so it marks a child
 *     submitted by a running parallel app
 */
public record RunJobParams(String method, String appId, String parentJobId, boolean asAdmin,
        JobRequirements requirements, boolean sentRemoteUrl) {

    public RunJobParams {
        Objects.requireNonNull(requirements, "requirements");
        method = asEe2ReadsIt(method, '.');
        appId = asEe2ReadsIt(appId, appId != null && appId.indexOf('/') >= 0 ? '/' : '.');
    }

    /**
     * A name as EE2's {@code AppInfo} reads it: it strips the whole ({@code check_string}), splits it
     * on its separator and strips each part again, so the method {@code "kb_Bowtie2 . align"} (or
     * U+001C, "kb_Bowtie2", U+00A0, ".align") runs {@code kb_Bowtie2.align}, and the app id
     * {@code " kb_concoct / run_concoct "} is {@code kb_concoct/run_concoct}. A name with more than
     * one separator is only stripped: EE2 refuses it and creates no job.
     */
    static String asEe2ReadsIt(String name, char separator) {
        String s = PythonWhitespace.strip(name);
        if (s == null) {
            return null;
        }
        int at = s.indexOf(separator);
        if (at < 0 || s.indexOf(separator, at + 1) >= 0) {
            return s;
        }
        return PythonWhitespace.strip(s.substring(0, at)) + separator + PythonWhitespace.strip(s.substring(at + 1));
    }

    /** A call without {@code remote_url}, as the narrative and most clients send it. */
    public RunJobParams(String method, String appId, String parentJobId, boolean asAdmin,
            JobRequirements requirements) {
        this(method, appId, parentJobId, asAdmin, requirements, false);
    }

    /** A request with just a method, as a narrative user would send it. */
    public static RunJobParams of(String method) {
        return new RunJobParams(method, null, null, false, JobRequirements.NONE);
    }

    /**
     * Submitted the way KBParallel submits a child (EE2-PROTOCOL.md, KBParallel): with the
     * {@code remote_url} key, or with an {@code app_id} that is a module alone (the narrative always
     * sends "Module/app"). Anyone can send either, so this alone earns nothing: it only says that
     * the call may come from a running parallel app, whose loop fails the whole app on a refusal.
     */
    public boolean kbParallelShaped() {
        return sentRemoteUrl || appId != null && !appId.isEmpty() && appId.indexOf('/') < 0
                && appId.indexOf('.') < 0;
    }

    /** The module part of {@code method} ("kb_Bowtie2" of "kb_Bowtie2.align"), or null. */
    public String module() {
        if (method == null) {
            return null;
        }
        int dot = method.indexOf('.');
        return dot < 0 ? method : method.substring(0, dot);
    }

    public RunJobParams withParentJobId(String parent) {
        return new RunJobParams(method, appId, parent, asAdmin, requirements, sentRemoteUrl);
    }

    /** The same job as KBParallel sends it: module-only app_id and a {@code remote_url} key. */
    public RunJobParams asKbParallelChild() {
        return new RunJobParams(method, module(), parentJobId, asAdmin, requirements, true);
    }
}
