package us.kbase.ee2proxy.frontend;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.admin.AdminActions;
import us.kbase.ee2proxy.admin.AdminServer;
import us.kbase.ee2proxy.admin.Readiness;
import us.kbase.ee2proxy.admission.AdmissionGate;
import us.kbase.ee2proxy.admission.PassThroughGate;
import us.kbase.ee2proxy.config.ConfigException;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.metrics.ProxyMetrics;
import us.kbase.ee2proxy.status.OperatorPages;
import us.kbase.ee2proxy.status.StatusPages;
import us.kbase.ee2proxy.upstream.UpstreamPool;

/**
 * The running proxy: the client listener, the upstream pool and the admin server. Build with
 * {@link #builder(ProxyConfig)}, then {@link #start()}; {@link #drainAndClose} stops gracefully
 * (SIGTERM), {@link #close()} at once. Neither leaves a client unanswered whose call was not sent to
 * EE2: a call held, or still waiting for its admission verdict, is answered "not submitted, submit
 * it again" (EE2-shaped), so it lands on another replica.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    /** How long close() lets connections answer what waits for a verdict and close, before the event loops stop. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    /** Request-body bytes held now ({@link BodyBudget}); Prometheus: ee2proxy_request_bodies_buffered_bytes. */
    static final String BUFFERED_BODY_BYTES = "ee2proxy.request_bodies.buffered_bytes";

    private final ProxyConfig config;
    private final ProxyMetrics metrics;
    private final AdmissionGate gate;
    private final AdminActions adminActions;
    private final Readiness readiness;
    private final StatusPages statusPages;
    private final OperatorPages operatorPages;
    private final Transport transport = Transport.best();
    private final ClientConnections clients = new ClientConnections();
    private final AtomicBoolean closed = new AtomicBoolean();
    private EventLoopGroup acceptors;
    private EventLoopGroup workers;
    private Channel listener;
    private AdminServer admin;
    private BodyBudget bodies;

    private ProxyServer(Builder b) {
        this.config = b.config;
        this.metrics = new ProxyMetrics(b.registry);
        this.gate = b.gate;
        this.adminActions = b.adminActions;
        this.readiness = b.readiness;
        this.statusPages = b.statusPages;
        this.operatorPages = b.operatorPages;
    }

    public static Builder builder(ProxyConfig config) {
        return new Builder(config);
    }

    public static final class Builder {
        private final ProxyConfig config;
        private MetricRegistry registry = new MetricRegistry();
        private AdmissionGate gate = PassThroughGate.INSTANCE;
        private AdminActions adminActions = AdminActions.NONE;
        private Readiness readiness = Readiness.ALWAYS;
        private StatusPages statusPages;
        private OperatorPages operatorPages;

        private Builder(ProxyConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The registry the proxy's metrics go into (and that /metrics exports); a new one by default. */
        public Builder metricRegistry(MetricRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /** The admission hook every sniffed call goes through; {@link PassThroughGate} by default. */
        public Builder gate(AdmissionGate value) {
            this.gate = Objects.requireNonNull(value, "gate");
            return this;
        }

        /** What the admin port's POSTs can do (policy reload); none by default. */
        public Builder adminActions(AdminActions value) {
            this.adminActions = Objects.requireNonNull(value, "adminActions");
            return this;
        }

        /** What the admin port's {@code /health} reports (the admission stack's ledger); always ready by default. */
        public Builder readiness(Readiness value) {
            this.readiness = Objects.requireNonNull(value, "readiness");
            return this;
        }

        /** The scientists' status pages on the main port ({@code GET /status}); none by default. */
        public Builder statusPages(StatusPages value) {
            this.statusPages = Objects.requireNonNull(value, "statusPages");
            return this;
        }

        /** The operators' console, views and actions on the admin port; none by default. */
        public Builder operatorPages(OperatorPages value) {
            this.operatorPages = Objects.requireNonNull(value, "operatorPages");
            return this;
        }

        public ProxyServer build() {
            return new ProxyServer(this);
        }
    }

    /** Binds the listener and the admin port. */
    public ProxyServer start() throws InterruptedException {
        acceptors = transport.newGroup(1, "ee2proxy-accept");
        // One event loop per core, as nginx runs one worker per core: a relay never blocks, so
        // more threads would only add context switches.
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        workers = transport.newGroup(threads, "ee2proxy-io");
        try {
            UpstreamPool pool = new UpstreamPool(workers, transport.clientChannel(), config, metrics);
            metrics.upstreamConnections(pool::openConnections);
            metrics.upstreamPool(pool.maxConnections(), pool::connectionsInUse, pool::waiting);
            Relay relay = new Relay(config, pool, gate, metrics, clients, statusPages);
            bodies = relay.bodies();
            metrics.registry().gauge(BUFFERED_BODY_BYTES, () -> (Gauge<Long>) bodies::buffered);
            listener = bind(config.listen(), "listen", ClientKeepAlive.apply(new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // Reads happen only when the relay asks: the back-pressure of the whole design.
                    .childOption(ChannelOption.AUTO_READ, false)
                    // A client that half-closes after its request still gets the answer (ClientRelay).
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new FrontendInitializer(relay)), transport));
            try {
                admin = AdminServer.start(config.admin(), config.timeouts().adminIdle(), config.limits().maxAdminConnections(),
                        transport, metrics, adminActions, readiness, operatorPages);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) { // Netty rethrows the bind's failure unchecked
                throw bindFailure(config.admin(), "admin", e);
            }
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("ee2-admission-proxy listening on {} in front of {} (admin on {}, {} transport)",
                listener.localAddress(), config.upstream().url(), config.admin().host() + ":" + admin.port(), transport.name());
        return this;
    }

    private static Channel bind(HostPort address, String key, ServerBootstrap bootstrap) throws InterruptedException {
        try {
            return bootstrap.bind(address.toAddress()).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // Netty rethrows the bind's failure unchecked
            throw bindFailure(address, key, e);
        }
    }

    /**
     * Whatever failed while binding a listening address is that address's problem: NIO reports a
     * taken port as {@link BindException}, native epoll as an IOException of its own, so the cause's
     * type is not checked; its innermost message says what happened.
     */
    private static RuntimeException bindFailure(HostPort address, String key, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new ConfigException(key + ": cannot listen on " + address + " (" + root.getMessage()
                + "); another process may hold the port: choose another with --" + key + " HOST:PORT");
    }

    /**
     * Stops taking connections and waits (at most {@code timeout}) until every request in flight
     * has been answered, so a restart does not cut a run_job whose job EE2 may already have made.
     * Held calls are not waited for: a hold may last the policy's maxWait (minutes), far longer than
     * a restart may take, so the gate answers them at once, "not submitted, submit it again", and
     * answers so every call it would hold from now on ({@link AdmissionGate#stopHolding()}). Every
     * answer from now on closes its connection, so clients reconnect elsewhere. Then {@link #close()}.
     * Returns whether everything was answered in time.
     */
    public boolean drainAndClose(Duration timeout) throws InterruptedException {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        clients.stopKeepingAlive();
        gate.stopHolding();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (metrics.requestsInFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        boolean drained = metrics.requestsInFlight() == 0;
        if (!drained) {
            LOG.warn("stopping with {} requests still unanswered after {} s", metrics.requestsInFlight(), timeout.toSeconds());
        }
        close();
        return drained;
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The proxy's own URL, e.g. {@code http://127.0.0.1:PORT/}. */
    public URI url() {
        InetSocketAddress a = (InetSocketAddress) listener.localAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    public int adminPort() {
        return admin.port();
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /** The request-body budget (tests check that everything reserved is given back). */
    BodyBudget bodyBudget() {
        return bodies;
    }

    /** The open client connections (tests look at their options). */
    Iterable<Channel> clientChannels() {
        return clients.channels();
    }

    /**
     * Stops at once: every call still waiting for its admission verdict (held, or being decided) is
     * answered "not submitted, submit it again" and never forwarded (a Forward that arrives later gives
     * its leases back); every other connection is closed, cutting calls on their way to EE2 (use
     * {@link #drainAndClose} to let those finish). Then the event loops stop. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        if (workers != null && !clients.closeAll(CLOSE_WAIT)) {
            LOG.warn("client connections still open {} s after being told to close; the event loops close them",
                    CLOSE_WAIT.toSeconds());
        }
        if (admin != null) {
            admin.close();
        }
        if (acceptors != null) {
            acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
