package us.kbase.ee2proxy.testing;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import us.kbase.ee2proxy.admission.AdmissionStack;
import us.kbase.ee2proxy.config.AdmissionConfig;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyException;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.sim.Ee2Simulator;

/**
 * A real proxy (main and admin port on free loopback ports) in front of a {@link TestUpstream} or
 * the {@link Ee2Simulator}, started and stopped by JUnit, as Armeria's {@code ServerExtension}:
 * registered on a {@code static} field it runs once per test class, on an instance field once per
 * test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ProxyExtension proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK).build();
 * ... new RawHttp(proxy.url()) ...; proxy.upstream().next();
 * }</pre>
 *
 * With {@link Builder#admission} the proxy runs {@code serve}'s admission (in-memory ledger) under
 * that policy; {@link Builder#server} changes the server's builder last (e.g. another gate).
 *
 * <p>A proxy that only one test needs (another policy, a scripted EE2) is the same fixture, not
 * registered but started and closed by the test, as Armeria's {@code ServerExtension.start()}:
 * {@code try (ProxyExtension capped = ProxyExtension.withSimulator(...).admission(policy).build().start()) {...}}.
 */
public final class ProxyExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, AutoCloseable {

    private final Builder spec;
    private TestUpstream upstream;
    private Ee2Simulator simulator;
    private MetricRegistry registry;
    private AdmissionStack admission;
    private ProxyServer server;
    /** Started for one test (instance field) rather than for the class. */
    private boolean perTest;

    private ProxyExtension(Builder spec) {
        this.spec = spec;
    }

    /** In front of a scriptable upstream answering {@code behaviour} ({@link #upstream()}). */
    public static Builder withTestUpstream(TestUpstream.Behaviour behaviour) {
        return new Builder(Objects.requireNonNull(behaviour, "behaviour"), null, null);
    }

    /** In front of the simulator (EE2 and auth2) that {@code simulator} builds ({@link #simulator()}). */
    public static Builder withSimulator(UnaryOperator<Ee2Simulator.Builder> simulator) {
        return new Builder(null, Objects.requireNonNull(simulator, "simulator"), null);
    }

    /**
     * In front of an EE2 (and auth2) that runs already, e.g. another replica's simulator: {@code
     * inFrontOf(one.upstreamUrl())}. It is not closed with the proxy.
     */
    public static Builder inFrontOf(URI upstream) {
        return new Builder(null, null, Objects.requireNonNull(upstream, "upstream"));
    }

    public static final class Builder {
        private final TestUpstream.Behaviour behaviour;
        private final UnaryOperator<Ee2Simulator.Builder> simulator;
        private final URI runningUpstream;
        private final List<UnaryOperator<ProxyConfig>> config = new ArrayList<>();
        private AdmissionPolicy policy;
        private String serviceToken;
        private String redisKeyPrefix;
        private BiConsumer<ProxyExtension, ProxyServer.Builder> server = (e, b) -> {};

        private Builder(TestUpstream.Behaviour behaviour, UnaryOperator<Ee2Simulator.Builder> simulator, URI runningUpstream) {
            this.behaviour = behaviour;
            this.simulator = simulator;
            this.runningUpstream = runningUpstream;
        }

        /** Changes the configuration (which starts as {@link LoopbackConfig#of}); applied in order. */
        public Builder config(UnaryOperator<ProxyConfig> change) {
            config.add(Objects.requireNonNull(change, "change"));
            return this;
        }

        /** Changes the admission configuration (e.g. {@code a -> a.withMaxHeld(1)}); a {@link #config} change. */
        public Builder admissionConfig(UnaryOperator<AdmissionConfig> change) {
            Objects.requireNonNull(change, "change");
            return config(c -> c.withAdmission(change.apply(c.admission())));
        }

        /** Runs admission under {@code policy} (in-memory ledger, auth2 at the upstream). */
        public Builder admission(AdmissionPolicy value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        /** Runs admission under the policy {@code yaml} says. */
        public Builder admission(String yaml) {
            try {
                return admission(PolicyLoader.parse(yaml, "test policy"));
            } catch (PolicyException e) {
                throw new IllegalArgumentException(e);
            }
        }

        /**
         * Admission's ledger on the Redis at {@code redis}, under {@code keyPrefix} (replicas sharing
         * it share the prefix). Redis calls get seconds, not the production tens of milliseconds: on a
         * contended test machine a slow answer would otherwise switch the replica to its local fallback.
         */
        public Builder redis(URI redis, String keyPrefix) {
            Objects.requireNonNull(redis, "redis");
            this.redisKeyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
            return admissionConfig(a -> a.withRedis(redis).withLedgerTimeout(Duration.ofSeconds(2)));
        }

        /** Admission's service token (the simulator's token of an EE2 admin, say). */
        public Builder serviceToken(String value) {
            this.serviceToken = Objects.requireNonNull(value, "serviceToken");
            return this;
        }

        /** The last say on the server's builder; the extension's upstream and registry are ready then. */
        public Builder server(BiConsumer<ProxyExtension, ProxyServer.Builder> change) {
            this.server = Objects.requireNonNull(change, "change");
            return this;
        }

        public ProxyExtension build() {
            return new ProxyExtension(this);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (server == null) { // an instance field: JUnit does not call beforeAll on it
            perTest = true;
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            stop();
        }
    }

    /** Starts the proxy (and what it is in front of) for a test that closes it; see the class comment. */
    public ProxyExtension start() throws Exception {
        if (server != null) {
            throw new IllegalStateException("the proxy already runs");
        }
        try {
            URI upstreamUrl;
            if (spec.simulator != null) {
                simulator = spec.simulator.apply(Ee2Simulator.builder().host("127.0.0.1").port(0)).build().start();
                upstreamUrl = simulator.url();
            } else if (spec.behaviour != null) {
                upstream = new TestUpstream(spec.behaviour);
                upstreamUrl = upstream.url();
            } else {
                upstreamUrl = spec.runningUpstream;
            }
            ProxyConfig config = LoopbackConfig.of(upstreamUrl);
            for (UnaryOperator<ProxyConfig> change : spec.config) {
                config = change.apply(config);
            }
            registry = new MetricRegistry();
            ProxyServer.Builder b = ProxyServer.builder(config).metricRegistry(registry);
            if (spec.policy != null) {
                AdmissionPolicy policy = spec.policy;
                AdmissionStack.Builder a = AdmissionStack.builder(config, registry).policy(() -> policy)
                        .serviceToken(spec.serviceToken);
                if (spec.redisKeyPrefix != null) {
                    a.redisKeyPrefix(spec.redisKeyPrefix);
                }
                admission = a.build();
                b.gate(admission.gate()).readiness(admission.readiness()).statusPages(admission.statusPages())
                        .operatorPages(admission.operatorPages());
            }
            spec.server.accept(this, b);
            server = b.build().start();
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
        return this;
    }

    /** Stops what {@link #start()} started. */
    @Override
    public void close() {
        stop();
    }

    private void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (admission != null) {
            admission.close();
            admission = null;
        }
        if (upstream != null) {
            upstream.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    /** The running proxy. */
    public ProxyServer server() {
        return Objects.requireNonNull(server, "the proxy runs only while a test does");
    }

    /** The proxy's main port, {@code http://127.0.0.1:PORT/}. */
    public URI url() {
        return server().url();
    }

    /** {@code path} on the admin port, e.g. {@code adminUrl("/metrics")}. */
    public URI adminUrl(String path) {
        return URI.create("http://127.0.0.1:" + server().adminPort() + path);
    }

    /** The scriptable upstream; null in front of the simulator or a running upstream. */
    public TestUpstream upstream() {
        return upstream;
    }

    /** The simulator; null in front of a {@link TestUpstream} or a running upstream. */
    public Ee2Simulator simulator() {
        return simulator;
    }

    /** The URL of whatever the proxy is in front of. */
    public URI upstreamUrl() {
        return simulator != null ? simulator.url() : upstream != null ? upstream.url() : spec.runningUpstream;
    }

    /** The registry of the proxy's (and admission's) metrics. */
    public MetricRegistry registry() {
        return registry;
    }

    /** The admission counter {@code ee2proxy.admission.NAME}, e.g. {@code admissionCounter("held.parent")}. */
    public long admissionCounter(String name) {
        return registry.counter("ee2proxy.admission." + name).getCount();
    }

    /** Admission, when {@link Builder#admission} was given; else null. */
    public AdmissionStack admission() {
        return admission;
    }
}
