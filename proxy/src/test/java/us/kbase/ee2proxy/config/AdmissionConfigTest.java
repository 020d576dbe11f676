package us.kbase.ee2proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code admission:} section of proxy.yaml. */
class AdmissionConfigTest {
    @TempDir
    Path dir;

    private ProxyConfig load(String yaml) throws IOException {
        return ProxyConfigLoader.load(Files.writeString(dir.resolve("proxy.yaml"), "upstream:\n  url: http://ee2\n" + yaml),
                ProxyConfigLoader.Overrides.NONE);
    }

    @Test
    void theShippedFileNamesThePolicyBesideIt() {
        AdmissionConfig a = ProxyConfigLoader.load(Path.of("../config/proxy.yaml"), ProxyConfigLoader.Overrides.NONE).admission();
        assertThat(a.policyFile()).isEqualTo(Path.of("../config/policy.yaml"));
        assertThat(a.redis()).isNull();
        assertThat(a.maxHeld()).isEqualTo(10_000);
        assertThat(a.maxHeldPerUser()).isEqualTo(1_000);
        assertThat(a.ledgerTimeout()).isEqualTo(Duration.ofSeconds(2)).isEqualTo(AdmissionConfig.DEFAULTS.ledgerTimeout());
    }

    @Test
    void everyKeyIsRead() throws IOException {
        AdmissionConfig a = load("admission:\n  policy: /etc/ee2proxy/policy.yaml\n  auth: https://ci.kbase.us/services/auth\n"
                + "  redis: redis://redis:6379\n  maxHeld: 5\n  maxHeldPerUser: 3\n  recheckEvery: 2s\n  authTimeout: 1s\n"
                + "  ledgerTimeout: 20ms\n  provisionalLease: 20m\n").admission();
        assertThat(a).isEqualTo(new AdmissionConfig(Path.of("/etc/ee2proxy/policy.yaml"),
                URI.create("https://ci.kbase.us/services/auth"), URI.create("redis://redis:6379"), 5, 3,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(20), Duration.ofMinutes(20)));
    }

    @Test
    void thePerUserBoundDefaultsToATenthOfTheDefaultCapAndNeverExceedsTheCap() throws IOException {
        assertThat(load("admission:\n  maxHeld: 200\n").admission().maxHeldPerUser()).isEqualTo(200);
        assertThat(load("admission:\n  maxHeld: 20000\n").admission().maxHeldPerUser()).isEqualTo(1_000);
        assertThatThrownBy(() -> load("admission:\n  maxHeld: 10\n  maxHeldPerUser: 11\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admission.maxHeldPerUser (11) must not exceed");
        assertThatThrownBy(() -> load("admission:\n  maxHeldPerUser: 0\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admission.maxHeldPerUser");
    }

    @Test
    void authDefaultsToKBasesOwnBesideAKBaseUpstreamElseTheUpstreamsOrigin() {
        AdmissionConfig a = AdmissionConfig.DEFAULTS;
        assertThat(a.authFor(URI.create("https://kbase.us/services/ee2"))).isEqualTo(URI.create("https://kbase.us/services/auth/"));
        assertThat(a.authFor(URI.create("https://ci.kbase.us/services/ee2"))).isEqualTo(URI.create("https://ci.kbase.us/services/auth/"));
        assertThat(a.authFor(URI.create("http://127.0.0.1:5000/"))).isEqualTo(URI.create("http://127.0.0.1:5000/"));
        assertThat(a.withAuth(URI.create("http://auth/")).authFor(URI.create("https://kbase.us/services/ee2")))
                .isEqualTo(URI.create("http://auth/"));
    }

    @Test
    void clusterSentinelAndTlsAreRead() throws IOException {
        assertThat(load("admission:\n  redis: redis+cluster://10.0.0.1:7000,10.0.0.2:7000\n").admission().redisAddress()
                .topology()).isEqualTo(RedisAddress.Topology.CLUSTER);
        assertThat(load("admission:\n  redis: redis+sentinel://s1:26379,s2:26379/mymaster\n").admission().redisAddress()
                .masterName()).isEqualTo("mymaster");
        Files.writeString(dir.resolve("redis-ca.pem"), "not read until the ledger starts");
        AdmissionConfig tls = load("admission:\n  redis: rediss://redis:6380\n  redisTls:\n    trustCaFile: redis-ca.pem\n"
                + "    verifyHostname: false\n").admission();
        assertThat(tls.redisTls()).isEqualTo(new RedisTls(dir.resolve("redis-ca.pem"), false));
        assertThat(load("admission:\n  redis: rediss://redis:6380\n").admission().redisTls()).isEqualTo(RedisTls.DEFAULT);
    }

    @Test
    void redisTlsNeedsATlsUrlAndAReadableFile() {
        assertThatThrownBy(() -> load("admission:\n  redis: redis://redis:6379\n  redisTls:\n    verifyHostname: false\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admission.redisTls applies only to a TLS Redis");
        assertThatThrownBy(() -> load("admission:\n  redis: rediss://redis:6379\n  redisTls:\n    trustCaFile: nope.pem\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admission.redisTls.trustCaFile: cannot read");
        assertThatThrownBy(() -> load("admission:\n  redis: redis+sentinel://:hunter2@s1:26379\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admission.redis")
                .hasMessageContaining("master's name").hasMessageNotContaining("hunter2");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> load("admission:\n  redis: http://redis:6379\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admission.redis").hasMessageContaining("redis://HOST:PORT");
        assertThatThrownBy(() -> load("admission:\n  maxHeld: 0\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admission.maxHeld");
        assertThatThrownBy(() -> load("admission:\n  recheckEvery: often\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admission.recheckEvery");
        assertThatThrownBy(() -> load("admission:\n  redisUrl: redis://r:6379\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'admission.redisUrl'")
                .hasMessageContaining("redis");
    }
}
