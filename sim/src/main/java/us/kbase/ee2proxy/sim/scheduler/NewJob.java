package us.kbase.ee2proxy.sim.scheduler;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What EE2 hands to the scheduler for one job.
 *
 * @param user the owner (the token's user)
 * @param token the token the job was submitted with; simulated parents and runners call EE2
 *     with it, as the real ones do with the owner's token
 * @param params the RunJobParams object as submitted (kept for {@code get_job_params})
 * @param slotUser whose per-user limit the job takes, or null for none
 * @param batchContainer a {@code run_job_batch} container: recorded, never scheduled
 */
public record NewJob(
        String user,
        String token,
        String method,
        String appId,
        JsonNode params,
        Long wsid,
        String parentJobId,
        String batchId,
        String slotUser,
        String retryOf,
        String label,
        boolean batchContainer) {}
