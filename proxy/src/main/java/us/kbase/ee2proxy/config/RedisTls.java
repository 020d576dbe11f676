package us.kbase.ee2proxy.config;

import java.nio.file.Path;

/**
 * How the proxy checks a Redis it reaches over TLS ({@code rediss...} URLs): the {@code
 * admission.redisTls} section of {@code proxy.yaml}.
 *
 * @param trustCaFile a PEM file of the CA certificates that signed the Redis servers' (and
 *     sentinels') certificates; null for the JDK's trust store
 * @param verifyHostname check that each certificate names the host connected to (its address as
 *     the URL, the cluster or the sentinels give it); keep on unless the certificates cannot name
 *     every node
 */
public record RedisTls(Path trustCaFile, boolean verifyHostname) {
    public static final RedisTls DEFAULT = new RedisTls(null, true);
}
