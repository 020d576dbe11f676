package us.kbase.ee2proxy.sim.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Everything EE2 reports about one job, copied under the scheduler's lock. */
public record JobRecord(
        JobSnapshot state,
        NewJob spec,
        String errorMessage,
        Integer errorCode,
        Integer terminatedCode,
        JsonNode jobOutput,
        List<String> childJobs,
        List<String> retryIds) {}
