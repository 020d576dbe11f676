package us.kbase.ee2proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.RedisAddress.Topology;

/** The Redis URL forms an operator writes in admission.redis or --redis. */
class RedisAddressTest {
    private static RedisAddress parse(String url) {
        return RedisAddress.parse(URI.create(url));
    }

    @Test
    void oneServer() {
        RedisAddress a = parse("redis://10.0.0.1:6380/2");
        assertThat(a).isEqualTo(new RedisAddress(Topology.SINGLE, false, List.of(new HostPort("10.0.0.1", 6380)), null,
                null, null, 2));
        assertThat(a.nodeUrls()).containsExactly("redis://10.0.0.1:6380");
        assertThat(parse("redis://redis").nodes()).containsExactly(new HostPort("redis", 6379));
        assertThat(parse("rediss://redis.example.org:6380").nodeUrls()).containsExactly("rediss://redis.example.org:6380");
    }

    @Test
    void aClusterByAnyOfItsNodes() {
        RedisAddress a = parse("redis+cluster://10.0.0.1:7000,10.0.0.2:7001,redis-3");
        assertThat(a.topology()).isEqualTo(Topology.CLUSTER);
        assertThat(a.nodeUrls()).containsExactly("redis://10.0.0.1:7000", "redis://10.0.0.2:7001", "redis://redis-3:6379");
        assertThat(parse("rediss+cluster://c1:7000").nodeUrls()).containsExactly("rediss://c1:7000");
        assertThatThrownBy(() -> parse("redis+cluster://c1:7000/1")).hasMessageContaining("only database 0");
    }

    @Test
    void sentinelsAndTheirMastersName() {
        RedisAddress a = parse("redis+sentinel://s1:26379,s2,s3:26380/mymaster/3");
        assertThat(a.topology()).isEqualTo(Topology.SENTINEL);
        assertThat(a.nodes()).containsExactly(new HostPort("s1", 26379), new HostPort("s2", 26379), new HostPort("s3", 26380));
        assertThat(a.masterName()).isEqualTo("mymaster");
        assertThat(a.database()).isEqualTo(3);
        assertThat(a.toString()).isEqualTo("redis+sentinel://s1:26379,s2:26379,s3:26380/mymaster/3");
        assertThatThrownBy(() -> parse("redis+sentinel://s1:26379,s2:26379"))
                .hasMessageContaining("needs the master's name as its path");
    }

    @Test
    void credentialsAreReadAndNeverShown() {
        RedisAddress a = parse("rediss+sentinel://ledger:s%40cret@s1,s2/mymaster");
        assertThat(a.username()).isEqualTo("ledger");
        assertThat(a.password()).isEqualTo("s@cret");
        assertThat(a.toString()).isEqualTo("rediss+sentinel://ledger:***@s1:26379,s2:26379/mymaster").doesNotContain("cret");
        RedisAddress passwordOnly = parse("redis://:secret@r:6379");
        assertThat(passwordOnly.username()).isNull();
        assertThat(passwordOnly.password()).isEqualTo("secret");
        // As redis-cli reads it: a lone user info is the password.
        assertThat(parse("redis://secret@r:6379").password()).isEqualTo("secret");
        assertThatThrownBy(() -> parse("redis://:secret@a:1,b:2")).hasMessageNotContaining("secret");
        assertThatThrownBy(() -> parse("http://:secret@a:1")).hasMessageNotContaining("secret");
    }

    @Test
    void aPasswordFromTheEnvironmentOnlyWhenTheUrlHasNone() {
        assertThat(parse("redis+cluster://c1:7000").withPasswordIfNone("env-secret").password()).isEqualTo("env-secret");
        assertThat(parse("redis://:url-secret@r").withPasswordIfNone("env-secret").password()).isEqualTo("url-secret");
        assertThat(parse("redis://r").withPasswordIfNone(null).password()).isNull();
        assertThat(parse("redis://ledger@r").password()).isEqualTo("ledger");
        assertThat(parse("redis://ledger:@r").withPasswordIfNone("env-secret"))
                .extracting(RedisAddress::username, RedisAddress::password).containsExactly("ledger", "env-secret");
    }

    @Test
    void wrongFormsSayWhatToWrite() {
        assertThatThrownBy(() -> parse("redis://a:6379,b:6379"))
                .hasMessageContaining("redis+cluster://").hasMessageContaining("redis+sentinel://");
        assertThatThrownBy(() -> parse("http://redis:6379")).hasMessageContaining("redis://HOST:PORT");
        assertThatThrownBy(() -> parse("redis://r:abc")).hasMessageContaining("no numeric port");
        assertThatThrownBy(() -> parse("redis://r:6379/x")).hasMessageContaining("database number");
        assertThatThrownBy(() -> parse("redis://r:6379?timeout=1")).hasMessageContaining("no ?query");
        assertThatThrownBy(() -> parse("redis+cluster://a:1,,b:2")).hasMessageContaining("empty host");
    }
}
