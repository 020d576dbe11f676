package us.kbase.ee2proxy.sim.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.RawHttp;
import us.kbase.ee2proxy.sim.RawHttp.Response;

/** The envelope, byte for byte where EE2-PROTOCOL.md and EE2's server code give bytes. */
class Ee2WireTest {
    static Ee2Simulator sim;
    static URI url;

    @BeforeAll
    static void start() throws Exception {
        sim = Ee2Simulator.builder().token("tok-alice", "alice").build().start();
        url = sim.url();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void successEnvelopeAndHeadersInEe2Order() throws Exception {
        Response r = RawHttp.post(url,
                "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"7364829105\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("{\"version\": \"1.1\", \"result\": [\"0.0.15\"], \"id\": \"7364829105\"}");
        assertThat(r.head()).containsSubsequence("Access-Control-Allow-Origin: *",
                "Access-Control-Allow-Headers: authorization", "content-type: application/json",
                "content-length: " + r.body().length);
    }

    @Test
    void emptyBodyIsParseErrorWithoutId() throws Exception {
        Response r = RawHttp.post(url, "");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.headers()).containsEntry("content-type", "application/json");
        assertThat(r.text()).isEqualTo("{\"error\": {\"code\": -32700, \"name\": \"Parse error\", \"message\": "
                + "\"Expecting value: line 1 column 1 (char 0)\", \"error\": null}, \"version\": \"1.1\"}");
    }

    @Test
    void chunkedBodyReadsAsEmpty() throws Exception {
        byte[] body = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"1\"}"
                .getBytes(StandardCharsets.UTF_8);
        Response r = RawHttp.exchange(url, "POST", "/services/ee2", body, false);
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.text()).contains("Expecting value: line 1 column 1 (char 0)");
    }

    @Test
    void missingTokenUsesEe2sMessage() throws Exception {
        Response r = RawHttp.post(url,
                "{\"method\": \"execution_engine2.run_job\", \"params\": [{}], \"version\": \"1.1\", \"id\": \"12345\"}");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.text()).isEqualTo("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": "
                + "\"Authentication required for execution_engine2 but no authentication header was passed\", "
                + "\"error\": null}, \"id\": \"12345\", \"version\": \"1.1\"}");
    }

    @Test
    void badTokenSaysValidationFailed() throws Exception {
        Response r = RawHttp.post(url,
                "{\"method\": \"execution_engine2.check_job\", \"params\": [{}], \"version\": \"1.1\", \"id\": 1}",
                "Authorization: nope");
        assertThat(r.text()).startsWith("{\"error\": {\"code\": -32000, \"name\": \"Server error\", "
                + "\"message\": \"Token validation failed: ");
    }

    @Test
    void methodExceptionIsItsPlainMessageAndTraceback() throws Exception {
        Response r = RawHttp.post(url, "{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\": "
                + "\"a.b\", \"job_requirements\": {\"request_cpus\": 2}}], \"version\": \"1.1\", \"id\": \"12345\"}",
                "Authorization: tok-alice");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.text()).startsWith("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": "
                + "\"In order to specify job requirements you must be a full admin\", \"error\": \"Traceback");
        assertThat(r.text()).endsWith("\"}, \"id\": \"12345\", \"version\": \"1.1\"}");
    }

    @Test
    void unknownMethodAndBadArity() throws Exception {
        assertThat(RawHttp.post(url, "{\"method\": \"execution_engine2.nope\", \"params\": [], \"id\": 5}").text())
                .isEqualTo("{\"error\": {\"code\": -32601, \"name\": \"Method not found\", \"message\": null, "
                        + "\"error\": null}, \"id\": 5, \"version\": \"1.0\"}");
        assertThat(RawHttp.post(url, "{\"method\": \"execution_engine2.ver\", \"params\": [1], \"jsonrpc\": \"2.0\", "
                + "\"id\": 5}").text()).isEqualTo("{\"error\": {\"code\": -32602, \"name\": \"too many arguments\", "
                + "\"message\": null, \"data\": null}, \"id\": 5, \"jsonrpc\": \"2.0\"}");
    }

    @Test
    void crashesAnswerGunicornsHtml() throws Exception {
        for (String body : new String[] {"[1]", "{\"method\": \"ver\", \"params\": [], \"id\": 1}",
                "{\"method\": \"execution_engine2.ver\", \"params\": []}", "\"x\""}) {
            Response r = RawHttp.post(url, body);
            assertThat(r.status()).as(body).isEqualTo(500);
            assertThat(r.headers().get("content-type")).as(body).isEqualTo("text/html");
        }
    }

    @Test
    void pythonJsonQuirks() throws Exception {
        // NaN accepted, last duplicate wins, notification (null id) gets an empty 200.
        Response dup = RawHttp.post(url, "{\"method\": \"nope.x\", \"method\": \"execution_engine2.ver\", "
                + "\"params\": [], \"id\": NaN, \"version\": \"1.1\"}");
        assertThat(dup.text()).isEqualTo("{\"version\": \"1.1\", \"result\": [\"0.0.15\"], \"id\": NaN}");
        Response note = RawHttp.post(url, "{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": null}");
        assertThat(note.status()).isEqualTo(200);
        assertThat(note.body()).isEmpty();
        Response bad = RawHttp.post(url, "{\"method\": \"execution_engine2.ver\" \"params\": []}");
        assertThat(bad.text()).contains("\"Expecting ',' delimiter: line 1 column 36 (char 35)\"");
    }

    @Test
    void optionsEchoesRequestedHeaders() throws Exception {
        Response r = RawHttp.exchange(url, "OPTIONS", "/", new byte[0], true,
                "Access-Control-Request-Headers: authorization, content-type");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers()).containsEntry("access-control-allow-headers", "authorization, content-type");
    }

    @Test
    void utf16BodyIsDecodedAsPythonDoes() throws Exception {
        byte[] body = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"\u00e9\"}"
                .getBytes(StandardCharsets.UTF_16LE);
        Response r = RawHttp.exchange(url, "POST", "/", body, true);
        assertThat(r.text()).isEqualTo("{\"version\": \"1.1\", \"result\": [\"0.0.15\"], \"id\": \"\\u00e9\"}");
    }
}
