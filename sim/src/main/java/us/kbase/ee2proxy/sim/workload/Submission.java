package us.kbase.ee2proxy.sim.workload;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One line of a workload's schedule: at simulated second {@code at}, {@code user} submits
 * {@code app} with {@code run_job} (or, with {@code batch}, those apps in one
 * {@code run_job_batch}), {@code repeat} times {@code every} seconds apart.
 *
 * @param jobClass the report's class for these jobs ("interactive", "parallel", ...); default
 *     "parent" for a parent app, "batch" for a batch, else "plain"
 * @param cancelAfter the user cancels the job this many simulated seconds after submitting it
 * @param retries the user calls retry_job when the job ends in error, up to this many times
 * @param token submit with this token instead of cycling through the user's tokens
 */
public record Submission(
        double at,
        String user,
        String app,
        List<String> batch,
        int repeat,
        double every,
        @JsonProperty("class") String jobClass,
        Double cancelAfter,
        int retries,
        String token) {

    public Submission {
        batch = batch == null ? null : List.copyOf(batch);
        repeat = Math.max(1, repeat);
    }

    /** {@code user} runs {@code app} at {@code at}. */
    public static Submission job(double at, String user, String app) {
        return new Submission(at, user, app, null, 1, 0, null, null, 0, null);
    }

    /** {@code user} submits one {@code run_job_batch} of {@code apps} at {@code at}. */
    public static Submission batch(double at, String user, String... apps) {
        return new Submission(at, user, null, List.of(apps), 1, 0, null, null, 0, null);
    }

    public Submission withClass(String c) {
        return new Submission(at, user, app, batch, repeat, every, c, cancelAfter, retries, token);
    }

    public Submission repeated(int times, double everySeconds) {
        return new Submission(at, user, app, batch, times, everySeconds, jobClass, cancelAfter, retries, token);
    }

    public Submission cancelledAfter(double seconds) {
        return new Submission(at, user, app, batch, repeat, every, jobClass, seconds, retries, token);
    }

    public Submission withRetries(int n) {
        return new Submission(at, user, app, batch, repeat, every, jobClass, cancelAfter, n, token);
    }

    public Submission withToken(String t) {
        return new Submission(at, user, app, batch, repeat, every, jobClass, cancelAfter, retries, t);
    }

    public boolean isBatch() {
        return batch != null;
    }
}
