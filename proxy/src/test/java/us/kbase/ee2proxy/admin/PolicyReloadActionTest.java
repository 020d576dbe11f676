package us.kbase.ee2proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.kbase.ee2proxy.identity.Auth2Identity;
import us.kbase.ee2proxy.identity.IdentitySettings;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policyfile.LivePolicy;
import us.kbase.ee2proxy.sim.Ee2Simulator;

/** Who may reload the policy on an exposed admin port: EE2_ADMIN only, checked with auth2. */
class PolicyReloadActionTest {
    @TempDir
    static Path dir;
    private static Ee2Simulator auth2;
    private static Auth2Identity identity;
    private LivePolicy policy;
    private PolicyReloadAction exposed;

    @BeforeAll
    static void start() throws Exception {
        auth2 = Ee2Simulator.builder()
                .token("admin-token", "root", "EE2_ADMIN")
                .token("reader-token", "ops", "EE2_ADMIN_RO")
                .token("user-token", "alice")
                .build().start();
        identity = new Auth2Identity(IdentitySettings.of(auth2.url()).withTimeout(Duration.ofSeconds(30)), new MetricRegistry());
        Files.writeString(dir.resolve("policy.yaml"), "parents:\n  maxPerUser: 4\n");
    }

    @BeforeEach
    void defaultsInForce() {
        policy = new LivePolicy(dir.resolve("policy.yaml"), AdmissionPolicy.defaults(), new MetricRegistry());
        exposed = new PolicyReloadAction(new AdminActions(policy, identity), true);
    }

    @AfterAll
    static void stop() {
        auth2.close();
    }

    private static PolicyReloadAction.Answer run(PolicyReloadAction action, String token) throws Exception {
        return action.run(token).get(30, TimeUnit.SECONDS);
    }

    @Test
    void onlyAnEe2AdminMayReloadOnAnExposedPort() throws Exception {
        assertThat(run(exposed, null).status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(run(exposed, "forged").status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        PolicyReloadAction.Answer reader = run(exposed, "reader-token");
        assertThat(reader.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(new String(reader.json(), StandardCharsets.UTF_8)).contains("EE2_ADMIN");
        assertThat(run(exposed, "user-token").status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(policy.get().defaultLimits().parentsMaxPerUser()).as("nobody reloaded yet").isEqualTo(5);

        assertThat(run(exposed, "admin-token").status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(policy.get().defaultLimits().parentsMaxPerUser()).isEqualTo(4);
    }

    @Test
    void anExposedPortWithoutAuth2RefusesEveryPost() throws Exception {
        PolicyReloadAction noAuth = new PolicyReloadAction(new AdminActions(policy, null), true);
        assertThat(run(noAuth, "admin-token").status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
    }

    @Test
    void onLoopbackNoTokenIsNeeded() throws Exception {
        PolicyReloadAction loopback = new PolicyReloadAction(new AdminActions(policy, null), false);
        assertThat(run(loopback, null).status()).isEqualTo(HttpResponseStatus.OK);
    }
}
