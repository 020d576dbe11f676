package us.kbase.ee2proxy.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.AppPattern;

/**
 * The calls {@code explain --live USER} explains when no {@code --request} is given: one of each
 * class a scientist's next call could be, as the narrative and KBParallel send them.
 */
final class LiveRequests {
    /** An app no default policy lists: a plain job. */
    static final String PLAIN = "kb_uploadmethods.import_reads";
    /** What a child runs when the user has a parallel app to name. */
    static final String CHILD = "kb_quast.run_QUAST_app";

    private LiveRequests() {}

    /**
     * By label ("plain job (kb_uploadmethods)", ...): the request bodies.
     *
     * @param runningApp a listed parallel app of the user (job id) for a child to name, or null
     */
    static Map<String, String> of(AdmissionPolicy policy, String runningApp) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("plain job (" + PLAIN + ")", runJob(PLAIN, null, null));
        String parallel = parallelMethod(policy);
        if (parallel != null) {
            out.put("new parallel app (" + parallel + ")", runJob(parallel, null, null));
        }
        if (runningApp != null) {
            out.put("child of parallel app " + runningApp + " (" + CHILD + ")", runJob(CHILD, runningApp, null));
        }
        return out;
    }

    /** A method the policy's first plain (glob-free) parents.apps entry makes a parallel app. */
    private static String parallelMethod(AdmissionPolicy policy) {
        for (AppPattern p : policy.parallelApps()) {
            String t = p.text();
            if (t.contains("*") || t.contains("?")) {
                continue;
            }
            return switch (p.target()) {
                case MODULE -> t + ".run_app";
                case METHOD -> t;
                case APP_ID -> t.replace('/', '.');
            };
        }
        return null;
    }

    private static String runJob(String method, String parentJobId, String appId) {
        String app = appId != null ? appId : method.replace('.', '/');
        return "{\"version\": \"1.1\", \"id\": \"explain\", \"method\": \"execution_engine2.run_job\", \"params\": [{"
                + "\"method\": \"" + method + "\", \"app_id\": \"" + app + "\", \"params\": [{}], \"service_ver\": \"release\""
                + (parentJobId == null ? "" : ", \"parent_job_id\": \"" + parentJobId + "\"") + "}]}";
    }
}
