package us.kbase.ee2proxy.ledger;

import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.TrustManagerFactory;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.BaseConfig;
import org.redisson.config.BaseMasterSlaveServersConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;
import org.redisson.config.SentinelServersConfig;
import org.redisson.config.ShardedSubscriptionMode;
import org.redisson.config.SingleServerConfig;
import org.redisson.config.SslVerificationMode;
import org.redisson.config.SubscriptionMode;
import org.redisson.config.TransportMode;
import us.kbase.ee2proxy.config.ConfigException;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.config.RedisTls;

/**
 * Builds the Redisson client of the shared ledger for one {@link RedisAddress}: one server, a
 * Cluster or a Sentinel-managed master, optionally over TLS.
 *
 * <p>The same rules in every mode: commands are bounded by the ledger's call timeout and never
 * retried (the ledger's caller decides what a failure means); every read goes to a master, since a
 * replica lags and the ledger's decisions must see the latest leases; the topology is re-read
 * every {@link #TOPOLOGY_SCAN}, so a failed-over master is followed within about that once the
 * cluster or the sentinels name it; and the client
 * connects lazily, so that the proxy starts while Redis is down ({@link LedgerWarmUp} then
 * connects and loads the scripts at start rather than on the first decision).
 */
public final class RedisClients {
    /**
     * How often Redisson re-reads the cluster's slots or asks the sentinels. A Cluster redirects a
     * moved slot's commands to its new master at once, but Redisson follows a redirect only to a
     * master it already knows, so until this scan every call for that slot fails (measured at 1 s:
     * ~1 s of failed calls per failover; at 250 ms: ~0.25 s). One CLUSTER NODES or SENTINEL query
     * four times a second per replica costs Redis nothing worth counting.
     */
    static final Duration TOPOLOGY_SCAN = Duration.ofMillis(250);
    /**
     * Floor on opening a connection (with its TLS handshake), apart from the per-call timeout:
     * connections are opened at start and after a failover, off the decisions' path, and a 2-core
     * machine can take longer than a call's tens of ms to finish a TLS handshake.
     */
    static final Duration CONNECT_FLOOR = Duration.ofSeconds(1);

    /**
     * Connections to each master opened at start and kept open. Redisson sends one command per
     * connection at a time, so a burst of concurrent decisions needs as many connections; one
     * opened on the decision's path (a TCP and perhaps a TLS handshake on a busy machine) can take
     * longer than the call's whole bound (found over TLS: 64 racing acquires, "Unable to acquire
     * connection"). Up to Redisson's default 64 are opened under load and closed again when idle.
     */
    static final int CONNECTIONS_KEPT_OPEN = 24;
    static final int MAX_CONNECTIONS = 64;

    private RedisClients() {}

    public static RedissonClient create(RedisAddress address, RedisTls tls, Duration callTimeout) {
        return Redisson.create(config(address, tls, callTimeout));
    }

    static Config config(RedisAddress address, RedisTls tls, Duration callTimeout) {
        int timeout = (int) callTimeout.toMillis();
        int connect = (int) Math.max(timeout, CONNECT_FLOOR.toMillis());
        int scan = (int) TOPOLOGY_SCAN.toMillis();
        Config config = new Config();
        config.setLazyInitialization(true);
        // Native epoll where there is one (as the front end uses), and a few I/O threads rather
        // than Redisson's 32: each ledger call is one small round trip.
        if (Epoll.isAvailable()) {
            config.setTransportMode(TransportMode.EPOLL);
        }
        config.setNettyThreads(Math.max(2, Runtime.getRuntime().availableProcessors()));
        security(config, address, tls);
        switch (address.topology()) {
            case SINGLE -> {
                SingleServerConfig single = config.useSingleServer()
                        .setAddress(address.nodeUrls().get(0))
                        .setDatabase(address.database())
                        .setConnectionMinimumIdleSize(CONNECTIONS_KEPT_OPEN)
                        .setConnectionPoolSize(MAX_CONNECTIONS)
                        .setSubscriptionConnectionMinimumIdleSize(1);
                common(single, timeout, connect);
            }
            case CLUSTER -> {
                ClusterServersConfig cluster = config.useClusterServers()
                        .setScanInterval(scan)
                        // The ledger PUBLISHes from its scripts (classic pub/sub, which a Cluster
                        // sends to every node), so its listener must SUBSCRIBE, never SSUBSCRIBE.
                        .setShardedSubscriptionMode(ShardedSubscriptionMode.OFF);
                address.nodeUrls().forEach(cluster::addNodeAddress);
                masters(cluster);
                common(cluster, timeout, connect);
            }
            case SENTINEL -> {
                SentinelServersConfig sentinel = config.useSentinelServers()
                        .setMasterName(address.masterName())
                        .setDatabase(address.database())
                        .setScanInterval(scan);
                address.nodeUrls().forEach(sentinel::addSentinelAddress);
                masters(sentinel);
                common(sentinel, timeout, connect);
            }
            default -> throw new IllegalStateException(address.topology().toString());
        }
        return config;
    }

    /** Reads and subscriptions on masters only; replicas get no idle connections of ours. */
    private static void masters(BaseMasterSlaveServersConfig<?> servers) {
        servers.setReadMode(ReadMode.MASTER)
                .setSubscriptionMode(SubscriptionMode.MASTER)
                .setMasterConnectionMinimumIdleSize(CONNECTIONS_KEPT_OPEN)
                .setMasterConnectionPoolSize(MAX_CONNECTIONS)
                .setSlaveConnectionMinimumIdleSize(1)
                .setSlaveConnectionPoolSize(2)
                .setSubscriptionConnectionMinimumIdleSize(1);
    }

    private static void common(BaseConfig<?> servers, int timeout, int connect) {
        servers.setTimeout(timeout)
                .setConnectTimeout(connect)
                .setRetryAttempts(0);
    }

    /** Credentials and TLS are the whole client's (Redisson 4 keeps them on {@link Config}). */
    private static void security(Config config, RedisAddress address, RedisTls tls) {
        if (address.username() != null) {
            config.setUsername(address.username());
        }
        if (address.password() != null) {
            config.setPassword(address.password());
        }
        if (address.tls()) {
            config.setSslVerificationMode(tls.verifyHostname() ? SslVerificationMode.STRICT : SslVerificationMode.CA_ONLY);
            if (tls.trustCaFile() != null) {
                config.setSslTrustManagerFactory(trustFrom(tls));
            }
        }
    }

    /** The CA certificates of a PEM file as a trust manager (the JDK reads PEM certificates itself). */
    private static TrustManagerFactory trustFrom(RedisTls tls) {
        try (InputStream in = Files.newInputStream(tls.trustCaFile())) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new ConfigException("admission.redisTls.trustCaFile: " + tls.trustCaFile()
                        + " holds no PEM certificate; give the CA certificate(s) that signed Redis's");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("redis-ca-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("admission.redisTls.trustCaFile: cannot use " + tls.trustCaFile()
                    + " as CA certificates: " + e.getMessage());
        }
    }
}
