package us.kbase.ee2proxy.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The proxy's metrics in a Dropwizard {@link MetricRegistry} (others, e.g. admission, add their
 * own to {@link #registry()}), exported in Prometheus text format through the Dropwizard bridge:
 * {@code ee2proxy_requests_<method>_total}, {@code ee2proxy_upstream_seconds_<method>} (a summary
 * of EE2's answer time), {@code ee2proxy_errors_<kind>_total}, {@code ee2proxy_connections_open},
 * {@code ee2proxy_upstream_connections_open}, and the upstream pool's {@code ee2proxy_upstream_connections_max},
 * {@code ee2proxy_upstream_connections_in_use}, {@code ee2proxy_upstream_waiting} (calls waiting for a free
 * connection now), {@code ee2proxy_upstream_wait_seconds} (how long those that waited waited) and
 * {@code ee2proxy_upstream_wait_withdrawn_total} (calls dropped unsent because their client left while waiting).
 * The two latency summaries are {@link IntervalTimer}s (every forwarded call records one: no lock,
 * no allocation); their quantiles cover the last 4 to 5 minutes of scrapes, their count every call.
 *
 * <p>Method labels come from the sniffer's fixed set of EE2 method names (anything else is
 * "other"), so a client cannot blow up the number of series.
 */
public final class ProxyMetrics {
    private static final String REQUESTS = "ee2proxy.requests.";
    private static final String LATENCY = "ee2proxy.upstream.seconds.";
    private static final String ERRORS = "ee2proxy.errors.";

    private final MetricRegistry registry;
    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final AtomicLong openConnections = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final Map<ErrorKind, Counter> errors = new EnumMap<>(ErrorKind.class);
    private final Map<String, Meter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final Timer upstreamWait;
    private final Counter upstreamWaitWithdrawn;

    public ProxyMetrics(MetricRegistry registry) {
        this.registry = registry;
        registry.gauge("ee2proxy.connections.open", () -> (Gauge<Long>) openConnections::get);
        registry.gauge("ee2proxy.requests.in_flight", () -> (Gauge<Long>) inFlight::get);
        for (ErrorKind kind : ErrorKind.values()) {
            errors.put(kind, registry.counter(ERRORS + kind.label()));
        }
        upstreamWait = registry.timer("ee2proxy.upstream.wait.seconds", IntervalTimer::new);
        upstreamWaitWithdrawn = registry.counter("ee2proxy.upstream.wait.withdrawn");
        // The bridge maps each Dropwizard metric to one Prometheus family (it cannot merge several
        // into one labelled family), so the method or kind is part of the name.
        DropwizardExports.builder().dropwizardRegistry(registry).register(prometheus);
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** Counts a request of {@code method} (an EE2 method name or a fixed label such as "other"). */
    public void request(String method) {
        Meter meter = requests.get(method); // a plain get first: computeIfAbsent's lambda captures, so allocates
        if (meter == null) {
            meter = requests.computeIfAbsent(method, m -> registry.meter(REQUESTS + m));
        }
        meter.mark();
    }

    /** Records EE2's answer time for {@code method}, from sending the request to the complete response. */
    public void upstreamLatency(String method, long nanos) {
        Timer timer = latencies.get(method);
        if (timer == null) {
            timer = latencies.computeIfAbsent(method, m -> registry.timer(LATENCY + m, IntervalTimer::new));
        }
        timer.update(nanos, TimeUnit.NANOSECONDS);
    }

    public void error(ErrorKind kind) {
        errors.get(kind).inc();
    }

    public void connectionOpened() {
        openConnections.incrementAndGet();
    }

    public void connectionClosed() {
        openConnections.decrementAndGet();
    }

    /** A request arrived and is being answered (held, at EE2, or being written back). */
    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    public void requestFinished() {
        inFlight.decrementAndGet();
    }

    /** Requests not yet answered: what a graceful stop waits for. */
    public long requestsInFlight() {
        return inFlight.get();
    }

    /** Client connections open now. */
    public long openConnections() {
        return openConnections.get();
    }

    /** Registers the gauge of open connections to EE2. */
    public void upstreamConnections(IntSupplier open) {
        registry.gauge("ee2proxy.upstream.connections.open", () -> (Gauge<Integer>) open::getAsInt);
    }

    /**
     * Registers the upstream pool's gauges: its bound on connections over all event loops, the
     * connections carrying a request now, and the calls waiting for one.
     */
    public void upstreamPool(int maxConnections, IntSupplier inUse, IntSupplier waiting) {
        registry.gauge("ee2proxy.upstream.connections.max", () -> (Gauge<Integer>) () -> maxConnections);
        registry.gauge("ee2proxy.upstream.connections.in_use", () -> (Gauge<Integer>) inUse::getAsInt);
        registry.gauge("ee2proxy.upstream.waiting", () -> (Gauge<Integer>) waiting::getAsInt);
    }

    /** A call waited {@code nanos} for a free connection to EE2 (got one, timed out, or its client left). */
    public void upstreamWaited(long nanos) {
        upstreamWait.update(nanos, TimeUnit.NANOSECONDS);
    }

    /** A call waiting for a connection to EE2 was dropped, unsent, because its client left. */
    public void upstreamWaitWithdrawn() {
        upstreamWaitWithdrawn.inc();
    }

    /** Everything in Prometheus text format (version 0.0.4). */
    public byte[] prometheusText() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            PrometheusTextFormatWriter.create().write(out, prometheus.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String prometheusContentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
