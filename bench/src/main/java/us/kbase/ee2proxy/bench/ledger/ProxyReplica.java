package us.kbase.ee2proxy.bench.ledger;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.net.URI;
import us.kbase.ee2proxy.admission.AdmissionStack;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.ledger.ResilientLedger;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.testing.LoopbackConfig;

/**
 * One proxy replica as serve assembles it, for the ledger benchmarks (no reconciler: nothing
 * finishes out of sight here). Its admission's ledger step is recorded whole in a {@link
 * LedgerStepReservoir} (Dropwizard's default reservoir keeps ~1,000 samples, too few for p99.9).
 */
final class ProxyReplica implements AutoCloseable {
    static final String LEDGER_STEP = "ee2proxy.admission.ledger.seconds";

    final MetricRegistry registry = new MetricRegistry();
    final LedgerStepReservoir ledgerStep = new LedgerStepReservoir();
    final AdmissionStack admission;
    final ProxyServer server;

    ProxyReplica(URI upstream, URI redis, String prefix) throws InterruptedException {
        // Registered before the admission asks for it, so the admission records into it.
        registry.register(LEDGER_STEP, new Timer(ledgerStep));
        ProxyConfig config = LoopbackConfig.of(upstream);
        if (redis != null) {
            config = config.withAdmission(config.admission().withRedis(redis));
        }
        admission = AdmissionStack.builder(config, registry).policy(AdmissionPolicy::defaults).redisKeyPrefix(prefix)
                .build();
        server = ProxyServer.builder(config).metricRegistry(registry).gate(admission.gate()).build().start();
    }

    URI url() {
        return server.url();
    }

    SlotLedger ledger() {
        return admission.ledger();
    }

    /** Waits until Redis decides for this replica (at once for the in-memory ledger). */
    void awaitRedisDecides() throws InterruptedException {
        if (ledger() instanceof ResilientLedger shared) {
            while (!shared.redisDecides()) {
                Thread.sleep(10);
            }
        }
    }

    long redisAcquires() {
        var t = registry.getTimers().get("ledger.redis.acquire");
        return t == null ? 0 : t.getCount();
    }

    long undecided() {
        return registry.counter("ledger.fallback.decisions").getCount();
    }

    boolean degraded() {
        Gauge<?> g = registry.getGauges().get("ledger.degraded");
        return g != null && ((Number) g.getValue()).intValue() == 1;
    }

    @Override
    public void close() {
        server.close();
        admission.close();
    }
}
