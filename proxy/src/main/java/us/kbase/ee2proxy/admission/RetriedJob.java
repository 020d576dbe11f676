package us.kbase.ee2proxy.admission;

import java.util.Objects;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * What EE2 said about a job a {@code retry_job(s)} call retries, asked with the caller's own
 * token before the retry is classified. Three answers, because "EE2 said no" and "EE2 could not
 * be asked" call for opposite classes: EE2 refuses a retry of a job it will not show the caller,
 * whatever class the proxy gives it; but a retry of a job the proxy could not look up may be a
 * parallel app, and must be classified as the strictest class it could be.
 */
public sealed interface RetriedJob {

    /** EE2 showed the job: the retry takes the class these params get (DESIGN.md). */
    record Found(RunJobParams params) implements RetriedJob {
        public Found {
            Objects.requireNonNull(params, "params");
        }
    }

    /**
     * EE2 answered with its own error object (no such job, not the caller's, not readable with
     * the caller's token): EE2 refuses the retry too, and the proxy releases what it took when
     * it does. {@code code} and {@code message} are EE2's.
     */
    record NotFound(int code, String message) implements RetriedJob {
        public NotFound {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The proxy could not find out (EE2 unreachable, slower than the lookup's bound, an answer
     * that is neither a job nor EE2's error): the retried job may be a parallel app.
     */
    record Unknown(String why) implements RetriedJob {
        public Unknown {
            Objects.requireNonNull(why, "why");
        }
    }
}
