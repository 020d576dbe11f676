package us.kbase.ee2proxy.upstream;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;
import us.kbase.ee2proxy.config.ConfigException;
import us.kbase.ee2proxy.config.UpstreamConfig;

/** The client TLS context for an https EE2: the JDK's trust store, or the configured CA file. */
final class UpstreamTls {
    private UpstreamTls() {}

    /** Null for a plain-http upstream. */
    static SslContext context(UpstreamConfig upstream) {
        if (!upstream.tls()) {
            return null;
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    // Hostname verification is on unless the operator switched it off.
                    .endpointIdentificationAlgorithm(upstream.verifyHostname() ? "HTTPS" : null);
            if (upstream.trustCaFile() != null) {
                builder.trustManager(upstream.trustCaFile().toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("upstream.trustCaFile: cannot use " + upstream.trustCaFile() + " as CA certificates: "
                    + UpstreamResponseHandler.rootMessage(e) + "; give a PEM file of X.509 certificates");
        }
    }

}
