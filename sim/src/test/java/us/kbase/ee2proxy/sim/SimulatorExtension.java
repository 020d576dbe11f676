package us.kbase.ee2proxy.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real simulator per test class, on a free port:
 * {@code @RegisterExtension static SimulatorExtension sim = new SimulatorExtension(b -> b.token("t", "alice"));}
 */
public final class SimulatorExtension implements BeforeAllCallback, AfterAllCallback {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final UnaryOperator<Ee2Simulator.Builder> setup;
    private Ee2Simulator simulator;

    public SimulatorExtension(UnaryOperator<Ee2Simulator.Builder> setup) {
        this.setup = setup;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        simulator = setup.apply(Ee2Simulator.builder()).build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        simulator.close();
    }

    public Ee2Simulator get() {
        return simulator;
    }

    public URI url() {
        return simulator.url();
    }

    /** A JSON-RPC 1.1 call as the KBase client sends it; the raw exchange comes back. */
    public RawHttp.Response call(String token, String method, Object... params) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("method", method);
        ArrayNode ps = body.putArray("params");
        for (Object p : params) {
            ps.add(JSON.valueToTree(p));
        }
        body.put("version", "1.1");
        body.put("id", "42");
        return token == null ? RawHttp.post(url(), JSON.writeValueAsString(body))
                : RawHttp.post(url(), JSON.writeValueAsString(body), "Authorization: " + token);
    }

    /** {@code result[0]} of a call that must succeed. */
    public JsonNode result(String token, String method, Object... params) throws Exception {
        RawHttp.Response r = call(token, method, params);
        if (r.status() != 200) {
            throw new AssertionError(method + " failed: " + r.text());
        }
        JsonNode result = JSON.readTree(r.body()).get("result");
        return result.isNull() ? null : result.get(0);
    }

    /** The {@code error} object of a call that must fail. */
    public JsonNode error(String token, String method, Object... params) throws Exception {
        RawHttp.Response r = call(token, method, params);
        if (r.status() != 500) {
            throw new AssertionError(method + " should have failed: " + r.text());
        }
        return JSON.readTree(r.body()).get("error");
    }

    public static ObjectNode obj(Object... kv) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            o.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
        }
        return o;
    }
}
