package us.kbase.ee2proxy.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The proxy's whole configuration, immutable, with the defaults an operator would expect. Built
 * by {@link ProxyConfigLoader} from {@code config/proxy.yaml} or from {@link #defaults(URI)} and
 * command-line overrides.
 *
 * @param listen where clients connect (EE2's own URL points here)
 * @param admin the admin server ({@code /metrics}, {@code /health}); loopback by default
 * @param upstream EE2
 * @param timeouts connect, response, request and idle bounds
 * @param limits size, pipelining, buffered-body and admin-connection bounds
 * @param ioThreads event-loop threads; 0 means one per core
 * @param admission the admission section: policy file, auth2, Redis, hold cap
 * @param statusUrl {@code status.url}: the public URL of the scientists' {@code GET /status} page,
 *     named at the end of every waiting and refusal text; null: the texts name the page by its path
 * @param stall {@code stall:}: when the live stall detector reports a user
 */
public record ProxyConfig(HostPort listen, HostPort admin, UpstreamConfig upstream, Timeouts timeouts,
        Limits limits, int ioThreads, AdmissionConfig admission, URI statusUrl, StallConfig stall) {

    /** With the default {@code stall:}. */
    public ProxyConfig(HostPort listen, HostPort admin, UpstreamConfig upstream, Timeouts timeouts, Limits limits,
            int ioThreads, AdmissionConfig admission, URI statusUrl) {
        this(listen, admin, upstream, timeouts, limits, ioThreads, admission, statusUrl, StallConfig.DEFAULTS);
    }

    /** Without {@code status.url}. */
    public ProxyConfig(HostPort listen, HostPort admin, UpstreamConfig upstream, Timeouts timeouts, Limits limits,
            int ioThreads, AdmissionConfig admission) {
        this(listen, admin, upstream, timeouts, limits, ioThreads, admission, null);
    }

    public static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 8080);
    public static final HostPort DEFAULT_ADMIN = new HostPort("127.0.0.1", 8081);
    public static final UpstreamConfig DEFAULT_UPSTREAM =
            new UpstreamConfig(URI.create("http://127.0.0.1:5000/"), null, true, 64, Duration.ofSeconds(1));
    public static final Timeouts DEFAULT_TIMEOUTS = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(300),
            Duration.ofSeconds(60), Timeouts.DEFAULT_REQUEST, Timeouts.DEFAULT_ADMIN_IDLE);
    public static final Limits DEFAULT_LIMITS = new Limits(8192, 16384, 32 * 1024 * 1024, 128 * 1024 * 1024,
            Limits.DEFAULT_MAX_PIPELINED_REQUESTS, Limits.DEFAULT_MAX_BUFFERED_BODY_BYTES,
            Limits.DEFAULT_MAX_BUFFERED_BODY_BYTES_PER_ADDRESS, Limits.DEFAULT_MAX_ADMIN_CONNECTIONS);

    public ProxyConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(stall, "stall");
    }

    /** Every default, in front of the EE2 at {@code upstreamUrl}. */
    public static ProxyConfig defaults(URI upstreamUrl) {
        return new ProxyConfig(DEFAULT_LISTEN, DEFAULT_ADMIN, DEFAULT_UPSTREAM.withUrl(upstreamUrl), DEFAULT_TIMEOUTS,
                DEFAULT_LIMITS, 0, AdmissionConfig.DEFAULTS);
    }

    public ProxyConfig withListen(HostPort value) {
        return new ProxyConfig(value, admin, upstream, timeouts, limits, ioThreads, admission, statusUrl, stall);
    }

    public ProxyConfig withAdmin(HostPort value) {
        return new ProxyConfig(listen, value, upstream, timeouts, limits, ioThreads, admission, statusUrl, stall);
    }

    public ProxyConfig withUpstream(UpstreamConfig value) {
        return new ProxyConfig(listen, admin, value, timeouts, limits, ioThreads, admission, statusUrl, stall);
    }

    public ProxyConfig withTimeouts(Timeouts value) {
        return new ProxyConfig(listen, admin, upstream, value, limits, ioThreads, admission, statusUrl, stall);
    }

    public ProxyConfig withLimits(Limits value) {
        return new ProxyConfig(listen, admin, upstream, timeouts, value, ioThreads, admission, statusUrl, stall);
    }

    public ProxyConfig withIoThreads(int value) {
        return new ProxyConfig(listen, admin, upstream, timeouts, limits, value, admission, statusUrl, stall);
    }

    public ProxyConfig withStatusUrl(URI value) {
        return new ProxyConfig(listen, admin, upstream, timeouts, limits, ioThreads, admission, value, stall);
    }

    public ProxyConfig withStall(StallConfig value) {
        return new ProxyConfig(listen, admin, upstream, timeouts, limits, ioThreads, admission, statusUrl, value);
    }

    public ProxyConfig withAdmission(AdmissionConfig value) {
        return new ProxyConfig(listen, admin, upstream, timeouts, limits, ioThreads, value, statusUrl, stall);
    }
}
