package us.kbase.ee2proxy.sim.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.RawHttp;
import us.kbase.ee2proxy.sim.RawHttp.Response;
import us.kbase.ee2proxy.sim.SimulatorExtension;

/** auth2's endpoints on the simulator's port, answered from the configured tokens. */
class Auth2Test {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b.token("t-1", "alice").token("t-2", "alice")
            .token("t-admin", "ops", "EE2_ADMIN", "EE2_ADMIN_RO"));

    private JsonNode json(Response r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void tokenEndpointNamesTheUserForEveryToken() throws Exception {
        for (String t : new String[] {"t-1", "t-2"}) {
            Response r = RawHttp.exchange(sim.url(), "GET", "/api/V2/token", new byte[0], true, "Authorization: " + t);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).containsEntry("content-type", "application/json");
            JsonNode body = json(r);
            assertThat(body.get("user").asText()).isEqualTo("alice");
            assertThat(body.get("cachefor").asLong()).isEqualTo(300_000);
            assertThat(body.get("expires").asLong()).isGreaterThan(body.get("created").asLong());
            assertThat(body.get("type").asText()).isEqualTo("Login");
        }
    }

    @Test
    void badOrMissingTokenGetsAuth2sErrorShape() throws Exception {
        Response bad = RawHttp.exchange(sim.url(), "GET", "/api/V2/token", new byte[0], true, "Authorization: nope");
        assertThat(bad.status()).isEqualTo(401);
        JsonNode err = json(bad).get("error");
        assertThat(err.get("httpcode").asInt()).isEqualTo(401);
        assertThat(err.get("httpstatus").asText()).isEqualTo("Unauthorized");
        assertThat(err.get("appcode").asInt()).isEqualTo(10020);
        assertThat(err.get("apperror").asText()).isEqualTo("Invalid token");
        assertThat(err.get("message").asText()).isEqualTo("10020 Invalid token");
        assertThat(err.get("callid").asText()).isNotEmpty();
        assertThat(err.get("time").asLong()).isPositive();
        Response none = RawHttp.exchange(sim.url(), "GET", "/api/V2/me", new byte[0], true);
        assertThat(json(none).get("error").get("appcode").asInt()).isEqualTo(10010);
    }

    @Test
    void meListsCustomRoles() throws Exception {
        Response r = RawHttp.exchange(sim.url(), "GET", "/api/V2/me", new byte[0], true, "Authorization: t-admin");
        assertThat(json(r).get("user").asText()).isEqualTo("ops");
        assertThat(json(r).get("customroles")).extracting(JsonNode::asText).containsExactly("EE2_ADMIN", "EE2_ADMIN_RO");
    }

    @Test
    void legacyLoginAsEe2UsesIt() throws Exception {
        byte[] form = "token=t-2&fields=user_id".getBytes(StandardCharsets.US_ASCII);
        Response r = RawHttp.exchange(sim.url(), "POST", "/api/legacy/KBase/Sessions/Login", form, true,
                "Content-Type: application/x-www-form-urlencoded");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("{\"user_id\":\"alice\"}");
        Response bad = RawHttp.exchange(sim.url(), "POST", "/api/legacy/KBase/Sessions/Login",
                "token=zzz&fields=user_id".getBytes(StandardCharsets.US_ASCII), true);
        assertThat(bad.status()).isEqualTo(401);
    }

    @Test
    void tokensAddedLaterAreAccepted() throws Exception {
        sim.get().addToken("late", "bob");
        Response r = RawHttp.exchange(sim.url(), "GET", "/api/V2/token", new byte[0], true, "Authorization: late");
        assertThat(json(r).get("user").asText()).isEqualTo("bob");
    }
}
