package us.kbase.ee2proxy.resilience;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.time.Duration;
import us.kbase.ee2proxy.admission.AdmissionStack;
import us.kbase.ee2proxy.config.AdmissionConfig;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.tracking.Ee2Client;
import us.kbase.ee2proxy.tracking.ReconcileSettings;
import us.kbase.ee2proxy.tracking.Reconciler;
import us.kbase.ee2proxy.testing.LoopbackConfig;

/**
 * One proxy replica as {@code serve} assembles it (admission, job tracking, optionally the Redis
 * ledger and the reconciler) on loopback ports in front of the simulator.
 */
final class ProxyUnderTest implements AutoCloseable {
    final MetricRegistry registry = new MetricRegistry();
    final AdmissionStack admission;
    final ProxyServer server;
    final Reconciler reconciler;

    private ProxyUnderTest(URI upstream, AdmissionPolicy policy, URI redis, String prefix, ReconcileSettings reconcile,
            Duration provisionalLease) throws InterruptedException {
        ProxyConfig config = LoopbackConfig.of(upstream);
        if (redis != null) {
            // Seconds, not production's tens of milliseconds: a contended test machine must not
            // tip the replica into its fallback by accident.
            config = config.withAdmission(config.admission().withRedis(redis).withLedgerTimeout(Duration.ofSeconds(2)));
        }
        AdmissionConfig a = config.admission();
        // auth2 (the simulator) gets 10 s, not 2: these tests load a shared 2-core machine hard.
        config = config.withAdmission(new AdmissionConfig(a.policyFile(), a.auth(), a.redis(), a.maxHeld(), a.recheckEvery(),
                Duration.ofSeconds(10), a.ledgerTimeout(), provisionalLease));
        AdmissionStack.Builder b = AdmissionStack.builder(config, registry).policy(() -> policy)
                .rebuildFromEe2(reconcile.enabled());
        if (prefix != null) {
            b.redisKeyPrefix(prefix);
        }
        admission = b.build();
        reconciler = new Reconciler(admission.ledger(), new Ee2Client(upstream, Duration.ofSeconds(10)), () -> policy,
                reconcile, registry).start();
        try {
            server = ProxyServer.builder(config).metricRegistry(registry).gate(admission.gate())
                    .readiness(admission.readiness()).build().start();
        } catch (InterruptedException | RuntimeException e) {
            reconciler.close();
            admission.close();
            throw e;
        }
    }

    /**
     * A replica on the Redis at {@code redis}, keys under {@code prefix}, reconciling as
     * {@code reconcile} says; a submission's provisional lease lives {@code provisionalLease}.
     */
    static ProxyUnderTest replica(URI upstream, AdmissionPolicy policy, URI redis, String prefix,
            ReconcileSettings reconcile, Duration provisionalLease) throws InterruptedException {
        return new ProxyUnderTest(upstream, policy, redis, prefix, reconcile, provisionalLease);
    }

    URI url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
        reconciler.close();
        admission.close();
    }
}
