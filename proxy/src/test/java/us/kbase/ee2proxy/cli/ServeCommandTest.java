package us.kbase.ee2proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import us.kbase.ee2proxy.ProxyMain;

class ServeCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String stderr) {}

    private static Run run(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new ProxyMain()).execute(args);
            return new Run(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void badConfigIsOneMessageNamingTheKeyAndExitTwo() throws Exception {
        Path file = Files.writeString(dir.resolve("proxy.yaml"), "upstream:\n  url: http://ee2\ntimeouts:\n  response: soon\n");
        Run r = run("serve", "--config", file.toString());
        assertThat(r.exit()).isEqualTo(ServeCommand.BAD_CONFIG);
        assertThat(r.stderr().strip().lines()).hasSize(1);
        assertThat(r.stderr()).startsWith("ee2-admission-proxy: ").contains("timeouts.response: 'soon' is not a duration");
    }

    @Test
    void noFileAndNoUpstreamSaysWhatToPass() {
        Run r = run("serve", "--listen", "127.0.0.1:0");
        assertThat(r.exit()).isEqualTo(ServeCommand.BAD_CONFIG);
        assertThat(r.stderr()).contains("upstream.url is missing").contains("--upstream URL");
    }

    @Test
    void badFlagValueNamesTheFlag() {
        Run r = run("serve", "--upstream", "http://127.0.0.1:1/", "--admin", "localhost");
        assertThat(r.exit()).isEqualTo(ServeCommand.BAD_CONFIG);
        assertThat(r.stderr()).contains("--admin: 'localhost' is not HOST:PORT");
    }

    @Test
    void aBrokenPolicyStopsServeWithItsProblems() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "slots: 10\nparents:\n  maxPerUser: 12\n");
        Run r = run("serve", "--upstream", "http://127.0.0.1:1/", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                "--policy", policy.toString());
        assertThat(r.exit()).isEqualTo(ServeCommand.BAD_CONFIG);
        assertThat(r.stderr()).startsWith("ee2-admission-proxy: " + policy).contains("maxPerUser");
    }

    @Test
    void badAdmissionFlagsNameTheFlag() {
        Run redis = run("serve", "--upstream", "http://127.0.0.1:1/", "--redis", "127.0.0.1:6379");
        assertThat(redis.exit()).isEqualTo(ServeCommand.BAD_CONFIG);
        assertThat(redis.stderr()).contains("--redis: '127.0.0.1:6379'", "redis://");
        Run sentinel = run("serve", "--upstream", "http://127.0.0.1:1/", "--redis", "redis+sentinel://s1:26379");
        assertThat(sentinel.exit()).isEqualTo(ServeCommand.BAD_CONFIG);
        assertThat(sentinel.stderr()).contains("--redis: 'redis+sentinel://s1:26379' needs the master's name");
        Run auth = run("serve", "--upstream", "http://127.0.0.1:1/", "--auth", "kbase.us/services/auth");
        assertThat(auth.exit()).isEqualTo(ServeCommand.BAD_CONFIG);
        assertThat(auth.stderr()).contains("--auth: 'kbase.us/services/auth' must be an http:// or https:// URL");
    }
}
