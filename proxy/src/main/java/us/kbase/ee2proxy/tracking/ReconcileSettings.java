package us.kbase.ee2proxy.tracking;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link Reconciler} works.
 *
 * @param serviceToken a KBase token with EE2_ADMIN_RO (at least), or null: then only lease
 *     expiry and the calls passing through heal the counts
 * @param interval time between the end of one pass and the start of the next
 * @param batchSize job ids per {@code check_jobs} call
 * @param adoptWindow how far back {@code check_jobs_date_range_for_all} looks for active jobs the
 *     proxy never saw (EE2 filters on the job's last update)
 * @param pageSize jobs per date-range page
 * @param maxPages date-range pages per pass at most (a bound on one pass's work)
 */
public record ReconcileSettings(String serviceToken, Duration interval, int batchSize, Duration adoptWindow,
        int pageSize, int maxPages) {

    /** The environment variable the service token is read from. */
    public static final String TOKEN_ENV = "EE2_PROXY_SERVICE_TOKEN";

    public ReconcileSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(adoptWindow, "adoptWindow");
        if (interval.isNegative() || interval.isZero() || batchSize < 1 || pageSize < 1 || maxPages < 0) {
            throw new IllegalArgumentException("reconciler: interval, batch and page sizes must be positive");
        }
        serviceToken = serviceToken == null || serviceToken.isBlank() ? null : serviceToken.trim();
    }

    /** Every 60 s, 100 jobs per check, active jobs updated in the last 8 days, 20 pages of 500. */
    public static ReconcileSettings defaults(String serviceToken) {
        return new ReconcileSettings(serviceToken, Duration.ofSeconds(60), 100, Duration.ofDays(8), 500, 20);
    }

    /** {@link #defaults} with the token from {@value #TOKEN_ENV}, if set. */
    public static ReconcileSettings fromEnvironment() {
        return defaults(System.getenv(TOKEN_ENV));
    }

    public ReconcileSettings withInterval(Duration value) {
        return new ReconcileSettings(serviceToken, value, batchSize, adoptWindow, pageSize, maxPages);
    }

    public ReconcileSettings withBatchSize(int value) {
        return new ReconcileSettings(serviceToken, interval, value, adoptWindow, pageSize, maxPages);
    }

    public ReconcileSettings withPageSize(int value) {
        return new ReconcileSettings(serviceToken, interval, batchSize, adoptWindow, value, maxPages);
    }

    public boolean enabled() {
        return serviceToken != null;
    }
}
