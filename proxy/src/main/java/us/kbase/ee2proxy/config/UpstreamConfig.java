package us.kbase.ee2proxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where EE2 is and how the proxy talks to it.
 *
 * @param url EE2's URL, http or https; its path prefixes every forwarded request's path
 * @param trustCaFile a PEM file of CA certificates to trust instead of the JDK's (self-signed
 *     test upstreams); null for the JDK's trust store
 * @param verifyHostname check that the upstream's certificate names its host (keep on)
 * @param maxConnectionsPerLoop pooled keep-alive connections to EE2 per event-loop thread
 * @param poolIdleTimeout how long an unused pooled connection is kept; keep it below EE2's own
 *     keep-alive timeout (gunicorn's default is 2 s) so the proxy closes first
 * @param maxWaitingPerLoop calls that may wait at once, per event-loop thread, for one of its
 *     connections to EE2 to come free (each for at most {@code timeouts.response}); a call beyond
 *     it is answered at once with an EE2-shaped error, unsent. A client connection has at most one
 *     call waiting, so a bound above the connections one thread serves never refuses.
 */
public record UpstreamConfig(URI url, Path trustCaFile, boolean verifyHostname, int maxConnectionsPerLoop,
        Duration poolIdleTimeout, int maxWaitingPerLoop) {
    /** Enough for 10,000 client connections each waiting on a 2-core machine, and a margin. */
    public static final int DEFAULT_MAX_WAITING_PER_LOOP = 16_384;

    public UpstreamConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(poolIdleTimeout, "poolIdleTimeout");
    }

    /** With the default {@code maxWaitingPerLoop}. */
    public UpstreamConfig(URI url, Path trustCaFile, boolean verifyHostname, int maxConnectionsPerLoop, Duration poolIdleTimeout) {
        this(url, trustCaFile, verifyHostname, maxConnectionsPerLoop, poolIdleTimeout, DEFAULT_MAX_WAITING_PER_LOOP);
    }

    public boolean tls() {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    public String host() {
        return url.getHost();
    }

    public int port() {
        return url.getPort() >= 0 ? url.getPort() : tls() ? 443 : 80;
    }

    /** The Host header EE2 expects: the port only when it is not the scheme's default. */
    public String hostHeader() {
        String host = url.getHost().indexOf(':') >= 0 ? "[" + url.getHost() + "]" : url.getHost();
        return url.getPort() < 0 || url.getPort() == (tls() ? 443 : 80) ? host : host + ":" + url.getPort();
    }

    /** The upstream URL's path without a trailing slash ("" for none): every forwarded path starts with it. */
    public String pathPrefix() {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    public UpstreamConfig withUrl(URI newUrl) {
        return new UpstreamConfig(newUrl, trustCaFile, verifyHostname, maxConnectionsPerLoop, poolIdleTimeout, maxWaitingPerLoop);
    }

    public UpstreamConfig withPool(int connectionsPerLoop, int waitingPerLoop) {
        return new UpstreamConfig(url, trustCaFile, verifyHostname, connectionsPerLoop, poolIdleTimeout, waitingPerLoop);
    }
}
