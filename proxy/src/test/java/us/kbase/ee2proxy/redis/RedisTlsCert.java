package us.kbase.ee2proxy.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway self-signed certificate for a TLS redis-server on loopback, made with the JDK alone
 * (keytool, then the key store's private key written out as PKCS#8 PEM, which OpenSSL reads): it
 * names {@code localhost} and {@code 127.0.0.1}, so hostname verification passes, and it is its own
 * CA, so the client trusts it through {@code admission.redisTls.trustCaFile}.
 */
public record RedisTlsCert(RedisServerProcess.TlsFiles files) {
    private static final String PASSWORD = "changeit";

    public static RedisTlsCert create(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Path keyStore = dir.resolve("redis.p12");
        Path cert = dir.resolve("redis.pem");
        Path key = dir.resolve("redis.key");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "BC:c=ca:true",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", "redis", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-file", cert.toString()));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Key privateKey = ks.getKey("redis", PASSWORD.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(privateKey.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(key, pem);
        return new RedisTlsCert(new RedisServerProcess.TlsFiles(cert, key, cert));
    }

    /** The PEM certificate to trust. */
    public Path caFile() {
        return files.caCertificate();
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }
}
