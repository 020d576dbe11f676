package us.kbase.ee2proxy.sim.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.sim.auth.Identity;
import us.kbase.ee2proxy.sim.auth.TokenRegistry;
import us.kbase.ee2proxy.sim.pyjson.PyJson;
import us.kbase.ee2proxy.sim.pyjson.PyJsonError;

/**
 * EE2's WSGI application ({@code execution_engine2Server.Application.__call__}) and the
 * jsonrpcbase dispatch behind it, step by step, so every reply has EE2's status, bytes and
 * quirks: the parse-error object without an id, the crashes (a body that is not an object, a
 * method without exactly one dot, a missing id or params), the token checks before method
 * lookup, the version echo in errors, notifications answered with an empty 200.
 */
public final class Ee2Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Ee2Endpoint.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Map<String, MethodSpec> methods = new HashMap<>();
    /** Requests per known method, so tests can see what reached EE2 (a proxy in front forwards them). */
    private final Map<String, LongAdder> calls = new HashMap<>();
    private final TokenRegistry tokens;

    public Ee2Endpoint(TokenRegistry tokens, Collection<MethodSpec> specs) {
        this.tokens = tokens;
        for (MethodSpec s : specs) {
            methods.put(s.name(), s);
            calls.put(s.name(), new LongAdder());
        }
    }

    /** How many requests named {@code method} (full name) arrived, whatever their outcome. */
    public long calls(String method) {
        LongAdder n = calls.get(method);
        return n == null ? 0 : n.sum();
    }

    /** OPTIONS: 200 and an empty body. */
    public static Ee2Reply options() {
        return new Ee2Reply(200, "application/json", new byte[0], false);
    }

    /**
     * A POST (or any other non-OPTIONS request).
     *
     * @param authorization the Authorization header, or null
     * @param body exactly Content-Length bytes (empty when the request had none)
     */
    /** EE2's shape of a server error with {@code message}, for a call the simulator refuses unread. */
    public static Ee2Reply staleRun(String message) {
        ObjectNode err = NODES.objectNode();
        ObjectNode inner = err.putObject("error");
        inner.put("code", -32000).put("name", "Server error").put("message", message);
        inner.putNull("error");
        err.put("version", "1.1");
        return Ee2Reply.json(500, PyJson.dumps(err));
    }

    public Ee2Reply handle(String authorization, byte[] body) {
        JsonNode req;
        try {
            req = PyJson.loads(body);
        } catch (PyJsonError e) {
            ObjectNode err = NODES.objectNode();
            ObjectNode inner = err.putObject("error");
            inner.put("code", -32700).put("name", "Parse error").put("message", e.getMessage());
            inner.putNull("error");
            err.put("version", "1.1");
            return Ee2Reply.json(500, PyJson.dumps(err));
        }
        // EE2 reads these outside its try block: anything odd here is an uncaught exception.
        if (!req.isObject()) {
            return Ee2Reply.crash();
        }
        JsonNode method = req.get("method");
        if (method == null || !method.isTextual() || dots(method.textValue()) != 1
                || !req.has("id") || !req.has("params")) {
            return Ee2Reply.crash();
        }
        try {
            MethodSpec spec = methods.get(method.textValue());
            if (spec != null) {
                calls.get(spec.name()).increment();
            }
            Caller caller = authenticate(spec == null ? Auth.NONE : spec.auth(), authorization);
            JsonNode response = call(req, spec, caller);
            return response == null ? Ee2Reply.json(200, "") : Ee2Reply.json(200, PyJson.dumps(response));
        } catch (RpcFailure f) {
            return Ee2Reply.json(500, PyJson.dumps(errorBody(f, req)));
        }
    }

    private static int dots(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '.') {
                n++;
            }
        }
        return n;
    }

    private Caller authenticate(Auth auth, String token) throws RpcFailure {
        if (auth == Auth.NONE) {
            return Caller.ANONYMOUS;
        }
        if (token == null) {
            if (auth == Auth.REQUIRED) {
                throw RpcFailure.server(
                        "Authentication required for execution_engine2 but no authentication header was passed");
            }
            return Caller.ANONYMOUS;
        }
        // EE2's KBaseAuth client: the legacy login endpoint, then its message on failure.
        String problem;
        if (token.isEmpty()) {
            problem = "Must supply token";
        } else {
            Identity id = tokens.find(token);
            if (id != null) {
                return new Caller(token, id);
            }
            problem = "Error connecting to auth service: 401 Unauthorized\n10020 Invalid token";
        }
        if (auth == Auth.REQUIRED) {
            throw RpcFailure.server("Token validation failed: " + problem);
        }
        return Caller.ANONYMOUS;
    }

    /** jsonrpcbase: _fill_request, _validate_params_types, _call_method, _handle_request. */
    private JsonNode call(JsonNode req, MethodSpec spec, Caller caller) throws RpcFailure {
        int version;
        if (req.has("jsonrpc")) {
            if (!"2.0".equals(req.get("jsonrpc").textValue())) {
                throw RpcFailure.invalidRequest();
            }
            version = 20;
        } else {
            version = req.has("version") && "1.1".equals(req.get("version").textValue()) ? 11 : 10;
        }
        JsonNode id = req.get("id");
        if (id.isContainerNode()) {
            throw RpcFailure.invalidRequest();
        }
        if (spec == null) {
            throw RpcFailure.methodNotFound();
        }
        JsonNode params = req.get("params");
        if (!(params.isObject() || params.isArray() || params.isNull())) {
            throw RpcFailure.invalidRequest();
        }
        List<JsonNode> args = arguments(spec, params);
        JsonNode value;
        try {
            value = spec.body().call(caller, args);
        } catch (MethodError e) {
            throw RpcFailure.of(e, spec.shortName());
        } catch (RuntimeException e) {
            // A bug of ours shows as EE2 shows any unexpected exception, and in our log.
            LOG.warn("{} failed unexpectedly", spec.name(), e);
            throw RpcFailure.of(new MethodError(e.getClass().getSimpleName(), String.valueOf(e.getMessage())),
                    spec.shortName());
        }
        if (id.isNull()) {
            return null; // a notification: EE2 answers 200 with an empty body
        }
        ObjectNode response = NODES.objectNode();
        if (version == 20) {
            response.put("jsonrpc", "2.0");
        } else if (version == 11) {
            response.put("version", "1.1");
        }
        if (value == null) {
            response.putNull("result");
        } else {
            response.putArray("result").add(value);
        }
        response.set("id", id);
        return response;
    }

    private static List<JsonNode> arguments(MethodSpec spec, JsonNode params) throws RpcFailure {
        if (params.isObject()) {
            // Every EE2 method registers positional types, so keyword params never get further.
            throw RpcFailure.invalidParams("expected positional params, not keyword");
        }
        int arity = spec.argNames().size();
        if (params.isNull()) {
            if (arity == 0) {
                return List.of();
            }
            throw RpcFailure.of(new MethodError("TypeError", missingArgs(spec)), spec.shortName());
        }
        // jsonrpcbase zips with range(1, len(params)): the last positional argument is never checked.
        for (int i = 0; i < params.size() - 1 && i < spec.types().size(); i++) {
            JsonNode p = params.get(i);
            if (!p.isNull() && p.getNodeType() != spec.types().get(i)) {
                throw RpcFailure.invalidParams("positional arg #" + (i + 1) + " is the wrong type");
            }
        }
        if (params.size() < arity) {
            throw RpcFailure.invalidParams("not enough arguments");
        }
        if (params.size() > arity) {
            throw RpcFailure.invalidParams("too many arguments");
        }
        List<JsonNode> args = new ArrayList<>(arity);
        params.forEach(args::add);
        return args;
    }

    private static String missingArgs(MethodSpec spec) {
        List<String> names = spec.argNames();
        String quoted = names.size() == 1 ? "'" + names.get(0) + "'"
                : "'" + String.join("', '", names.subList(0, names.size() - 1)) + "' and '"
                        + names.get(names.size() - 1) + "'";
        return spec.shortName() + "() missing " + names.size() + " required positional argument"
                + (names.size() == 1 ? "" : "s") + ": " + quoted;
    }

    /** The server's process_error: error first, then id, then version or jsonrpc as sent. */
    private static ObjectNode errorBody(RpcFailure f, JsonNode req) {
        ObjectNode body = NODES.objectNode();
        ObjectNode err = body.putObject("error");
        err.put("code", f.code).put("name", f.name);
        if (f.data == null) {
            err.putNull("message");
        } else {
            err.put("message", f.data);
        }
        if (req.has("id")) {
            body.set("id", req.get("id"));
        }
        if (req.has("version")) {
            body.set("version", req.get("version"));
            err.put("error", f.trace);
        } else if (req.has("jsonrpc")) {
            body.set("jsonrpc", req.get("jsonrpc"));
            err.put("data", f.trace);
        } else {
            body.put("version", "1.0");
            err.put("error", f.trace);
        }
        return body;
    }
}
