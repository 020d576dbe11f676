package us.kbase.ee2proxy.policy.request;

import java.util.Objects;

/**
 * The fields of one EE2 {@code RunJobParams} that admission reads. Everything else in the
 * request passes through to EE2 untouched; this is a read-only view, never re-serialized.
 *
 * <p>Values follow what EE2 (Python) would see: {@code parentJobId} is null when the key is
 * absent or its value is falsy in Python ({@code null}, {@code ""}, {@code 0}, {@code false},
 * {@code []}, {@code {}}); a non-string truthy value is kept as its JSON text. {@code asAdmin} is
 * Python truthiness of {@code as_admin}.
 *
 * @param method "Module.function" as sent, or null when absent or not a string
 * @param appId "Module/function" as sent, or null when absent or not a string
 * @param parentJobId the parent's job id, or null (see above)
 * @param asAdmin Python truthiness of {@code as_admin}
 * @param requirements {@code job_requirements}, {@link JobRequirements#NONE} when absent
 */
public record RunJobParams(
        String method, String appId, String parentJobId, boolean asAdmin, JobRequirements requirements) {

    public RunJobParams {
        Objects.requireNonNull(requirements, "requirements");
    }

    /** A request with just a method, as a narrative user would send it. */
    public static RunJobParams of(String method) {
        return new RunJobParams(method, null, null, false, JobRequirements.NONE);
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
        return new RunJobParams(method, appId, parent, asAdmin, requirements);
    }
}
