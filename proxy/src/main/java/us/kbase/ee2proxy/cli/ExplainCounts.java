package us.kbase.ee2proxy.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import us.kbase.ee2proxy.policy.DurationText;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * The {@code explain --counts} JSON: the ledger as the proxy would see it for the request. Every
 * member is optional:
 * <pre>{@code
 * {
 *   "user": "alice",                        // the token's user (--user overrides it)
 *   "parents": 5,                           // P(u); default: the sum of parentsByApp
 *   "jobs": 7,                              // A(u), parents included; default: parents
 *   "parentsByApp": {"kb_Bowtie2": 3, "kb_concoct": 2},
 *   "activeParents": {"65a1...": {"app": "kb_BatchApp", "depth": 0}},  // what parent_job_id may name
 *   "retried": {"65b2...": {"method": "kb_Bwa.run", "app_id": "kb_Bwa/run", "parent_job_id": null}},
 *   "ownCallRecent": false,                 // an own job within children.reserveFor; default: true
 *   "waited": "4m"                          // how long the call has been held already
 * }
 * }</pre>
 * The counts are the ledger user's: the token's user, or {@code bill_to_user} on an admin call.
 */
record ExplainCounts(
        String user,
        Integer parents,
        Integer jobs,
        Map<String, Integer> parentsByApp,
        Map<String, ActiveParent> activeParents,
        Map<String, Retried> retried,
        String waited,
        Boolean ownCallRecent) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    record ActiveParent(String app, int depth) {}

    record Retried(String method, @JsonProperty("app_id") String appId, @JsonProperty("parent_job_id") String parentJobId) {}

    static ExplainCounts parse(String json) throws JsonProcessingException {
        ExplainCounts c = JSON.readValue(json, ExplainCounts.class);
        return c == null ? new ExplainCounts(null, null, null, null, null, null, null, null) : c;
    }

    UserCounts counts() {
        Map<String, Integer> byApp = parentsByApp == null ? Map.of() : parentsByApp;
        int p = parents != null ? parents : byApp.values().stream().mapToInt(Integer::intValue).sum();
        // Unless told, the user is taken to be present: the reserve is kept (children.reserveFor).
        return new UserCounts(p, jobs != null ? jobs : p, byApp, ownCallRecent == null || ownCallRecent);
    }

    ParentLookup parentLookup(String ledgerUser) {
        Map<String, SlotClaim> claims = new HashMap<>();
        if (activeParents != null) {
            activeParents.forEach((id, a) -> claims.put(id, SlotClaim.parentAt(a.depth(), a.app() == null ? "unknown" : a.app())));
        }
        return ParentLookup.of(ledgerUser, claims);
    }

    RetryLookup retryLookup() {
        Map<String, RunJobParams> known = new HashMap<>();
        if (retried != null) {
            retried.forEach((id, r) -> known.put(id,
                    new RunJobParams(r.method(), r.appId(), r.parentJobId(), false, JobRequirements.NONE)));
        }
        return RetryLookup.of(known);
    }

    /** {@code waited} as a duration; throws IllegalArgumentException with a fix when unreadable. */
    Duration waitedDuration() {
        if (waited == null) {
            return Duration.ZERO;
        }
        return DurationText.parse(waited).orElseThrow(() -> new IllegalArgumentException(
                "\"waited\": \"" + waited + "\" is not a duration; write e.g. \"90s\" or \"4m\""));
    }
}
