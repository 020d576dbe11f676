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

class ProxyConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("proxy.yaml"), yaml);
    }

    @Test
    void theShippedFileLoads() {
        ProxyConfig c = ProxyConfigLoader.load(Path.of("../config/proxy.yaml"), ProxyConfigLoader.Overrides.NONE);
        assertThat(c.upstream().url()).isEqualTo(URI.create("https://kbase.us/services/ee2"));
        assertThat(c.upstream().tls()).isTrue();
        assertThat(c.upstream().port()).isEqualTo(443);
        assertThat(c.upstream().hostHeader()).isEqualTo("kbase.us");
        assertThat(c.admin()).isEqualTo(new HostPort("127.0.0.1", 8081));
        assertThat(c.timeouts().response()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.limits().maxBodyBytes()).isEqualTo(32 * 1024 * 1024);
    }

    @Test
    void childrenAtEe2AreCancelledWithTheirAppOnlyWhenConfigured() throws IOException {
        ProxyConfig shipped = ProxyConfigLoader.load(Path.of("../config/proxy.yaml"), ProxyConfigLoader.Overrides.NONE);
        assertThat(shipped.admission().cancelChildrenWithParent()).isFalse();
        assertThat(AdmissionConfig.DEFAULTS.cancelChildrenWithParent()).isFalse();
        ProxyConfig on = ProxyConfigLoader.load(write("upstream:\n  url: http://ee2:5000\nadmission:\n"
                + "  cancelChildrenWithParent: true\n"), ProxyConfigLoader.Overrides.NONE);
        assertThat(on.admission().cancelChildrenWithParent()).isTrue();
    }

    @Test
    void missingKeysTakeDefaults() throws IOException {
        ProxyConfig c = ProxyConfigLoader.load(write("upstream:\n  url: http://ee2:5000\n"), ProxyConfigLoader.Overrides.NONE);
        assertThat(c).isEqualTo(ProxyConfig.defaults(URI.create("http://ee2:5000")));
    }

    @Test
    void stallSectionSetsTheDetectorsThresholdAndInterval() throws IOException {
        ProxyConfig c = ProxyConfigLoader.load(write("upstream:\n  url: http://ee2:5000\nstall:\n  after: 5m\n"),
                ProxyConfigLoader.Overrides.NONE);
        assertThat(c.stall()).isEqualTo(new StallConfig(Duration.ofMinutes(5), StallConfig.DEFAULTS.every()));
        assertThat(ProxyConfig.defaults(URI.create("http://ee2:5000")).stall()).isEqualTo(StallConfig.DEFAULTS);
        Path zero = write("upstream:\n  url: http://ee2:5000\nstall:\n  every: 0s\n");
        assertThatThrownBy(() -> ProxyConfigLoader.load(zero, ProxyConfigLoader.Overrides.NONE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("stall.every");
    }

    @Test
    void flagsOverrideTheFileAndMakeItOptional() {
        ProxyConfig c = ProxyConfigLoader.load(null, new ProxyConfigLoader.Overrides(
                HostPort.parse("127.0.0.1:9000"), URI.create("http://127.0.0.1:5000/"), HostPort.parse("[::1]:9001")));
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 9000));
        assertThat(c.admin()).isEqualTo(new HostPort("::1", 9001));
        assertThat(c.upstream().url()).isEqualTo(URI.create("http://127.0.0.1:5000/"));
    }

    @Test
    void unknownKeyIsNamedWithItsLineAndTheAllowedKeys() throws IOException {
        Path file = write("upstream:\n  url: http://ee2\n  verifyHostnames: false\n");
        assertThatThrownBy(() -> ProxyConfigLoader.load(file, ProxyConfigLoader.Overrides.NONE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 3")
                .hasMessageContaining("unknown key 'upstream.verifyHostnames'")
                .hasMessageContaining("verifyHostname");
    }

    @Test
    void badDurationNamesTheKeyAndTheSyntax() throws IOException {
        Path file = write("upstream:\n  url: http://ee2\ntimeouts:\n  connect: 5 seconds\n");
        assertThatThrownBy(() -> ProxyConfigLoader.load(file, ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("line 4")
                .hasMessageContaining("timeouts.connect: '5 seconds' is not a duration; write a number and a unit: 250ms, 5s");
    }

    @Test
    void wrongTypeNamesTheKey() throws IOException {
        Path file = write("upstream:\n  url: http://ee2\n  maxConnectionsPerLoop: many\n");
        assertThatThrownBy(() -> ProxyConfigLoader.load(file, ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("upstream.maxConnectionsPerLoop")
                .hasMessageContaining("a whole number");
    }

    @Test
    void badValuesNameTheirKeys() throws IOException {
        assertThatThrownBy(() -> ProxyConfigLoader.load(write("upstream:\n  url: ftp://ee2\n"), ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("upstream.url: 'ftp://ee2' must be an http:// or https:// URL");
        assertThatThrownBy(() -> ProxyConfigLoader.load(write("listen: 8080\nupstream:\n  url: http://ee2\n"),
                ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("listen: '8080' is not HOST:PORT");
        assertThatThrownBy(() -> ProxyConfigLoader.load(write("upstream:\n  url: http://ee2\nlimits:\n  maxBodyBytes: 0\n"),
                ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("limits.maxBodyBytes: 0 must be greater than 0");
        assertThatThrownBy(() -> ProxyConfigLoader.load(write("upstream:\n  url: https://ee2\n  trustCaFile: nope.pem\n"),
                ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("upstream.trustCaFile: cannot read");
    }

    @Test
    void missingUpstreamSaysHowToGiveIt() throws IOException {
        assertThatThrownBy(() -> ProxyConfigLoader.load(write("listen: 127.0.0.1:1\n"), ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("upstream.url is missing")
                .hasMessageContaining("--upstream");
    }

    @Test
    void connectionFaultKeysLoadAndDefault() throws IOException {
        ProxyConfig defaults = ProxyConfigLoader.load(write("upstream:\n  url: http://ee2\n"), ProxyConfigLoader.Overrides.NONE);
        assertThat(defaults.timeouts().request()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.timeouts().adminIdle()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.limits().maxPipelinedRequests()).isEqualTo(128);
        assertThat(defaults.limits().maxBufferedBodyBytes()).isEqualTo(256 * 1024 * 1024);
        assertThat(defaults.limits().maxBufferedBodyBytesPerAddress()).isEqualTo(64 * 1024 * 1024);
        assertThat(defaults.limits().maxAdminConnections()).isEqualTo(64);
        ProxyConfig c = ProxyConfigLoader.load(write("upstream:\n  url: http://ee2\ntimeouts:\n  request: 10s\n  adminIdle: 2m\n"
                + "limits:\n  maxPipelinedRequests: 16\n  maxBufferedBodyBytes: 1GiB\n  maxBufferedBodyBytesPerAddress: 128MiB\n"
                + "  maxAdminConnections: 8\n"), ProxyConfigLoader.Overrides.NONE);
        assertThat(c.timeouts().request()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.timeouts().adminIdle()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.limits().maxPipelinedRequests()).isEqualTo(16);
        assertThat(c.limits().maxBufferedBodyBytes()).isEqualTo(1024 * 1024 * 1024);
        assertThat(c.limits().maxBufferedBodyBytesPerAddress()).isEqualTo(128 * 1024 * 1024);
        assertThat(c.limits().maxAdminConnections()).isEqualTo(8);
    }

    @Test
    void bodyBudgetsMustHoldTheLargestBodyAndEachOther() throws IOException {
        assertThatThrownBy(() -> ProxyConfigLoader.load(write("upstream:\n  url: http://ee2\nlimits:\n"
                + "  maxBufferedBodyBytes: 64MiB\n  maxBufferedBodyBytesPerAddress: 128MiB\n"), ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("limits.maxBufferedBodyBytesPerAddress (134217728 bytes) is larger than limits.maxBufferedBodyBytes");
        assertThatThrownBy(() -> ProxyConfigLoader.load(write("upstream:\n  url: http://ee2\nlimits:\n"
                + "  maxBodyBytes: 32MiB\n  maxBufferedBodyBytesPerAddress: 16MiB\n"), ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("limits.maxBodyBytes (33554432 bytes) is larger than limits.maxBufferedBodyBytesPerAddress")
                .hasMessageContaining("could never be received");
        assertThatThrownBy(() -> ProxyConfigLoader.load(write("upstream:\n  url: http://ee2\nlimits:\n  maxPipelinedRequests: 0\n"),
                ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("limits.maxPipelinedRequests: 0 must be greater than 0");
        assertThatThrownBy(() -> ProxyConfigLoader.load(write("upstream:\n  url: http://ee2\ntimeouts:\n  request: 0s\n"),
                ProxyConfigLoader.Overrides.NONE))
                .hasMessageContaining("timeouts.request: must be longer than 0");
    }

    @Test
    void sizesAcceptUnits() throws IOException {
        ProxyConfig c = ProxyConfigLoader.load(write("upstream:\n  url: http://ee2\nlimits:\n  maxHeaderBytes: 64KiB\n  maxBodyBytes: 1000\n"),
                ProxyConfigLoader.Overrides.NONE);
        assertThat(c.limits().maxHeaderBytes()).isEqualTo(65536);
        assertThat(c.limits().maxBodyBytes()).isEqualTo(1000);
    }
}
