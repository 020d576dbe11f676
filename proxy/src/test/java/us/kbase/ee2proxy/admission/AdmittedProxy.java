package us.kbase.ee2proxy.admission;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.function.UnaryOperator;
import us.kbase.ee2proxy.config.AdmissionConfig;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.testing.LoopbackConfig;

/** A proxy with admission on loopback ports, in front of {@code upstream} (the simulator: EE2 and auth2). */
final class AdmittedProxy implements AutoCloseable {
    final MetricRegistry registry = new MetricRegistry();
    final AdmissionStack admission;
    final ProxyServer server;

    private AdmittedProxy(URI upstream, AdmissionPolicy policy, UnaryOperator<AdmissionConfig> tune, String redisPrefix)
            throws InterruptedException {
        ProxyConfig config = LoopbackConfig.of(upstream);
        config = config.withAdmission(tune.apply(config.admission()));
        AdmissionStack.Builder b = AdmissionStack.builder(config, registry).policy(() -> policy);
        if (redisPrefix != null) {
            b.redisKeyPrefix(redisPrefix);
        }
        admission = b.build();
        try {
            server = ProxyServer.builder(config).metricRegistry(registry).gate(admission.gate())
                    .readiness(admission.readiness()).build().start();
        } catch (InterruptedException | RuntimeException e) {
            admission.close();
            throw e;
        }
    }

    static AdmittedProxy start(URI upstream, AdmissionPolicy policy) throws InterruptedException {
        return new AdmittedProxy(upstream, policy, a -> a, null);
    }

    static AdmittedProxy start(URI upstream, AdmissionPolicy policy, UnaryOperator<AdmissionConfig> tune)
            throws InterruptedException {
        return new AdmittedProxy(upstream, policy, tune, null);
    }

    /**
     * A replica sharing the Redis at {@code redis} under {@code prefix} with others. Redis calls
     * get seconds, not the production tens of milliseconds: on a contended test machine a slow
     * answer would otherwise switch the replica to its local fallback.
     */
    static AdmittedProxy replica(URI upstream, AdmissionPolicy policy, URI redis, String prefix) throws InterruptedException {
        return new AdmittedProxy(upstream, policy, a -> a.withRedis(redis).withLedgerTimeout(Duration.ofSeconds(2)), prefix);
    }

    URI url() {
        return server.url();
    }

    /** The admin port's {@code /health}. */
    URI health() {
        return URI.create("http://127.0.0.1:" + server.adminPort() + "/health");
    }

    long counter(String name) {
        return registry.counter("ee2proxy.admission." + name).getCount();
    }

    @Override
    public void close() {
        server.close();
        admission.close();
    }
}
