package us.kbase.ee2proxy.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import us.kbase.ee2proxy.config.ConfigException;

/**
 * The TLS trust of the proxy's own calls to EE2 (JDK HTTP client), matching what the front end's
 * upstream connections do: the JVM's CAs or those of {@code upstream.trustCaFile}, and hostname
 * verification unless {@code upstream.verifyHostname: false}. The JDK client has no switch for the
 * hostname check short of a JVM-wide system property; it asks the trust manager, so a trust manager
 * that checks the chain but not the name turns it off for this client alone.
 */
final class UpstreamTrust {
    private UpstreamTrust() {}

    static SSLContext context(Path caFile, boolean verifyHostname) {
        try {
            X509TrustManager trust = trustManager(caFile == null ? null : caStore(caFile));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {verifyHostname ? trust : new ChainOnly(trust)}, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("upstream.trustCaFile: cannot use " + caFile + " as CA certificates for EE2 calls: "
                    + e.getMessage());
        }
    }

    private static KeyStore caStore(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            return store;
        }
    }

    /** The default algorithm's trust manager over {@code store} (null: the JVM's CAs). */
    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** Checks the certificate chain only: the socket/engine variants skip the endpoint (hostname) check. */
    private static final class ChainOnly extends X509ExtendedTrustManager {
        private final X509TrustManager chain;

        ChainOnly(X509TrustManager chain) {
            this.chain = chain;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
                throws CertificateException {
            chain.checkServerTrusted(certs, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
                throws CertificateException {
            chain.checkServerTrusted(certs, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
            chain.checkServerTrusted(certs, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
                throws CertificateException {
            chain.checkClientTrusted(certs, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
                throws CertificateException {
            chain.checkClientTrusted(certs, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
            chain.checkClientTrusted(certs, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return chain.getAcceptedIssuers();
        }
    }
}
