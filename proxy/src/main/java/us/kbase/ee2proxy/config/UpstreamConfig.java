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
 */
public record UpstreamConfig(URI url, Path trustCaFile, boolean verifyHostname, int maxConnectionsPerLoop,
        Duration poolIdleTimeout) {

    public UpstreamConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(poolIdleTimeout, "poolIdleTimeout");
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
        return new UpstreamConfig(newUrl, trustCaFile, verifyHostname, maxConnectionsPerLoop, poolIdleTimeout);
    }
}
