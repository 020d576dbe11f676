package us.kbase.ee2proxy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.identity.Auth2IdentityTest.assertRefused;
import static us.kbase.ee2proxy.identity.Auth2IdentityTest.get;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.identity.IdentityException.Reason;
import us.kbase.ee2proxy.sim.Ee2Simulator;

/** Against the simulator's auth2 (the shapes of kbase/auth2). */
class Auth2IdentitySimulatorTest {
    private static Ee2Simulator sim;
    private static Auth2Identity identity;

    @BeforeAll
    static void start() throws InterruptedException {
        sim = Ee2Simulator.builder()
                .token("alice-agent-1", "alice")
                .token("alice-agent-2", "alice")
                .token("admin-token", "root", "EE2_ADMIN")
                .build()
                .start();
        // A generous timeout: on a loaded machine a cold first call must not read as "auth2 unavailable".
        identity = new Auth2Identity(IdentitySettings.of(sim.url()).withTimeout(Duration.ofSeconds(30)), new MetricRegistry());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void tokensResolveToTheirUser() {
        assertThat(get(identity.user("alice-agent-1"))).isEqualTo("alice");
        assertThat(get(identity.user("alice-agent-2"))).isEqualTo("alice");
        assertThat(get(identity.user("admin-token"))).isEqualTo("root");
    }

    @Test
    void customRolesComeFromMe() {
        assertThat(get(identity.customRoles("admin-token"))).containsExactly("EE2_ADMIN");
        assertThat(get(identity.customRoles("alice-agent-1"))).isEmpty();
    }

    @Test
    void anUnknownTokenIsInvalid() {
        assertRefused(() -> get(identity.user("forged")), Reason.INVALID_TOKEN, "10020 Invalid token");
        assertRefused(() -> get(identity.customRoles("forged")), Reason.INVALID_TOKEN, "Invalid token");
    }
}
