package us.kbase.ee2proxy.cli;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import us.kbase.ee2proxy.admin.AdminActions;
import us.kbase.ee2proxy.config.AdmissionConfig;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.identity.Auth2Identity;
import us.kbase.ee2proxy.identity.IdentitySettings;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policyfile.LivePolicy;
import us.kbase.ee2proxy.policyfile.PolicyFileWatcher;
import us.kbase.ee2proxy.tracking.Ee2Client;
import us.kbase.ee2proxy.tracking.JobProgress;
import us.kbase.ee2proxy.tracking.ReconcileSettings;
import us.kbase.ee2proxy.tracking.Reconciler;

/**
 * What keeps a running proxy true to its sources beside the request path: the policy file
 * watched and reloadable from the admin port, and the reconciler keeping the ledger true to EE2.
 */
final class Upkeep implements AutoCloseable {
    /** A save is often several file events: wait for the directory to be quiet this long. */
    private static final Duration POLICY_DEBOUNCE = Duration.ofMillis(500);
    /** Bound on one reconciler call to EE2 (a page of 500 job states may take a while). */
    private static final Duration EE2_TIMEOUT = Duration.ofSeconds(30);

    private final PolicyFileWatcher watcher;
    private final Reconciler reconciler;
    private final AdminActions adminActions;

    private Upkeep(PolicyFileWatcher watcher, Reconciler reconciler, AdminActions adminActions) {
        this.watcher = watcher;
        this.reconciler = reconciler;
        this.adminActions = adminActions;
    }

    /**
     * @param reconcile the reconciler's settings (its service token from the environment)
     * @param progress told the state of each tracked job the reconciler reads (the status pages' children)
     */
    static Upkeep start(ProxyConfig config, SlotLedger ledger, LivePolicy policy, ReconcileSettings reconcile,
            JobProgress progress, MetricRegistry registry) {
        AdmissionConfig a = config.admission();
        PolicyFileWatcher watcher = PolicyFileWatcher.start(policy, POLICY_DEBOUNCE);
        Reconciler reconciler = new Reconciler(ledger, new Ee2Client(config.upstream(), EE2_TIMEOUT), policy, reconcile,
                registry).progress(progress).start();
        // Its own cache: admin tokens are few, and the request path's cache stays the request path's.
        Auth2Identity identity = new Auth2Identity(
                IdentitySettings.of(a.authFor(config.upstream().url())).withTimeout(a.authTimeout()), new MetricRegistry());
        return new Upkeep(watcher, reconciler, new AdminActions(policy, identity));
    }

    AdminActions adminActions() {
        return adminActions;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        reconciler.close();
    }
}
