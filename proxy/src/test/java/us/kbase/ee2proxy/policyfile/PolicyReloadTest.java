package us.kbase.ee2proxy.policyfile;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.kbase.ee2proxy.admin.AdminActions;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.TestUpstream;

/** The policy file watched and reloaded on demand: good files take effect, bad ones change nothing. */
class PolicyReloadTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String THREE_PARENTS = "parents:\n  maxPerUser: 3\n";
    private static final String FOUR_PARENTS = "parents:\n  maxPerUser: 4\n";
    /** Line 3, column 15: maxPerUser must be at least 1. */
    private static final String BROKEN = "# a typo\nparents:\n  maxPerUser: 0\n";

    @TempDir
    Path dir;
    private Path file;
    private MetricRegistry metrics;
    private LivePolicy policy;
    private PolicyFileWatcher watcher;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("policy.yaml");
        Files.writeString(file, THREE_PARENTS);
        metrics = new MetricRegistry();
        policy = new LivePolicy(file, PolicyLoader.load(file), metrics);
    }

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private int maxPerUser() {
        return policy.get().defaultLimits().parentsMaxPerUser();
    }

    private long failures() {
        return metrics.counter("ee2proxy.policy.reload.failures").getCount();
    }

    /** As editors save: a new file renamed over the old one. */
    private void save(String yaml) throws Exception {
        Path tmp = dir.resolve(".policy.yaml.swp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aSavedFileIsReloadedAndABrokenOneKeepsThePolicyInForce() throws Exception {
        watcher = PolicyFileWatcher.start(policy, Duration.ofMillis(100));
        assertThat(maxPerUser()).isEqualTo(3);

        save(FOUR_PARENTS);
        await("the new policy in force", () -> maxPerUser() == 4);

        save(BROKEN);
        await("the broken file counted", () -> failures() == 1);
        assertThat(maxPerUser()).isEqualTo(4);

        Files.writeString(file, THREE_PARENTS); // written in place this time
        await("the fixed file in force", () -> maxPerUser() == 3);
        assertThat(failures()).isEqualTo(1);
    }

    @Test
    void aReloadSaysWhatIsWrongWithTheFileWhereAndKeepsThePolicy() throws Exception {
        Files.writeString(file, BROKEN);

        LivePolicy.Reload r = policy.reload();

        assertThat(r.applied()).isFalse();
        assertThat(r.message()).contains(file + ":3:15:", "maxPerUser", "fix:", "The policy in force is unchanged");
        assertThat(maxPerUser()).isEqualTo(3);
        assertThat(failures()).isEqualTo(1);
    }

    @Test
    void anUnchangedFileIsNotReloadedByTheWatcherButIsOnDemand() {
        assertThat(policy.reloadIfChanged().applied()).isFalse();
        LivePolicy.Reload r = policy.reload();
        assertThat(r.applied()).isTrue();
        assertThat(r.message()).contains("mode enforce", "slots 10, parents 3 (+1 per level to depth 2");
    }

    @Test
    void theAdminEndpointReloadsAndAnswersWhatHappened() throws Exception {
        try (ProxyExtension proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK)
                .server((e, b) -> b.adminActions(new AdminActions(policy, null))).build().start()) {
            URI reload = proxy.adminUrl("/admin/policy/reload");

            Files.writeString(file, FOUR_PARENTS);
            HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(reload).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(ok.body()).contains("\"reloaded\":true", "parents 4");
            assertThat(maxPerUser()).isEqualTo(4);

            Files.writeString(file, BROKEN);
            HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(reload).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(422);
            assertThat(bad.body()).contains("\"reloaded\":false", ":3:15:");
            assertThat(maxPerUser()).isEqualTo(4);

            HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(reload).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
        }
    }
}
