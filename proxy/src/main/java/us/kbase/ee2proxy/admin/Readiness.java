package us.kbase.ee2proxy.admin;

/**
 * Whether this replica can decide admissions, for {@code GET /health}: 200 when ready, 503 with
 * the reason until then (a load balancer sends it no traffic meanwhile).
 */
@FunctionalInterface
public interface Readiness {
    /** Always ready, nothing to say: the in-memory ledger, or a proxy without admission. */
    Readiness ALWAYS = () -> Status.READY;

    Status now();

    /**
     * @param ready whether the replica can decide
     * @param ledger what the ledger is doing now (null: nothing worth saying); while not ready, why
     */
    record Status(boolean ready, String ledger) {
        public static final Status READY = new Status(true, null);
    }
}
