package us.kbase.ee2proxy.jsonrpc;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An error the proxy answers itself, shaped exactly as EE2 shapes its own: HTTP 500,
 * {@code content-type: application/json}, EE2's CORS headers in EE2's order, and a body formatted
 * as Python's {@code json.dumps} formats it (", " and ": " separators, non-ASCII escaped, key
 * order error{code, name, message, error}, id, version). The KBase client only reads an error
 * object when the status is 500 and the content type is exactly that string, so anything else
 * would reach a scientist as a bare "HTTP 502" with no explanation.
 *
 * <p>Immutable; the {@code with*} methods return copies. Used by the proxy for its own failures
 * (upstream unreachable, timeouts, limits, unparseable bodies) and by admission for refusals
 * (with {@code Retry-After}).
 */
public final class Ee2ErrorReply {
    public static final int SERVER_ERROR = -32000;
    public static final int PARSE_ERROR = -32700;

    private static final String VERSION_1_1 = "\"version\": \"1.1\"";

    /** What EE2 answers in {@code Access-Control-Allow-Headers} when the request names none. */
    private static final String DEFAULT_ALLOW_HEADERS = "authorization";

    private final int code;
    private final String name;
    private final String message;
    private final String trace;
    private final String idJson;
    private final boolean idKey;
    private final String versionMember;
    private final boolean traceInData;
    private final List<Header> extraHeaders;

    /** A response header beyond EE2's own, e.g. {@code Retry-After}. */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private Ee2ErrorReply(int code, String name, String message, String trace, String idJson, boolean idKey,
            String versionMember, boolean traceInData, List<Header> extraHeaders) {
        this.code = code;
        this.name = Objects.requireNonNull(name, "name");
        this.message = Objects.requireNonNull(message, "message");
        this.trace = trace;
        this.idJson = idJson;
        this.idKey = idKey;
        this.versionMember = versionMember;
        this.traceInData = traceInData;
        this.extraHeaders = List.copyOf(extraHeaders);
    }

    /** Code -32000 "Server error": what EE2 answers for any failure inside a method. */
    public static Ee2ErrorReply serverError(String message) {
        return new Ee2ErrorReply(SERVER_ERROR, "Server error", message, null, null, true, VERSION_1_1, false, List.of());
    }

    /**
     * Code -32700 "Parse error" with Python's {@code ValueError} text: the exact object EE2 sends
     * for a body {@code json.loads} refuses. Like EE2's, it has no {@code id} key.
     */
    public static Ee2ErrorReply parseError(String pythonMessage) {
        return new Ee2ErrorReply(PARSE_ERROR, "Parse error", pythonMessage, null, null, false, VERSION_1_1, false, List.of());
    }

    /**
     * Echo the request's id.
     *
     * @param rawIdJson the id exactly as the request's JSON text had it (e.g. {@code "\"42\""} or
     *     {@code "42"}), or null when unknown, which writes {@code "id": null}
     */
    public Ee2ErrorReply withId(String rawIdJson) {
        return new Ee2ErrorReply(code, name, message, trace, rawIdJson, true, versionMember, traceInData, extraHeaders);
    }

    /**
     * Answer as EE2 answers this call: its {@code id}, and its {@code version} (or
     * {@code jsonrpc}, with the trace under {@code "data"}, or {@code "version": "1.0"} when it
     * sent neither), as {@link RpcEnvelope#echoVersionMember()} says.
     */
    public Ee2ErrorReply withEnvelope(RpcEnvelope envelope) {
        return new Ee2ErrorReply(code, name, message, trace, envelope.idJson(), true, envelope.echoVersionMember(),
                envelope.traceInData(), extraHeaders);
    }

    /** The {@code error} (or {@code data}) member: EE2 puts a traceback there; null writes null. */
    public Ee2ErrorReply withTrace(String text) {
        return new Ee2ErrorReply(code, name, message, text, idJson, idKey, versionMember, traceInData, extraHeaders);
    }

    /** The same reply with another message. */
    public Ee2ErrorReply withMessage(String text) {
        return new Ee2ErrorReply(code, name, text, trace, idJson, idKey, versionMember, traceInData, extraHeaders);
    }

    /** An extra response header after EE2's own, e.g. {@code withHeader("Retry-After", "60")}. */
    public Ee2ErrorReply withHeader(String headerName, String value) {
        List<Header> headers = new ArrayList<>(extraHeaders);
        headers.add(new Header(headerName, value));
        return new Ee2ErrorReply(code, name, message, trace, idJson, idKey, versionMember, traceInData, headers);
    }

    public int code() {
        return code;
    }

    public String message() {
        return message;
    }

    public List<Header> extraHeaders() {
        return extraHeaders;
    }

    /** The body as Python's {@code json.dumps} would write it, in ASCII (so also UTF-8). */
    public byte[] body() {
        StringBuilder out = new StringBuilder(160 + message.length());
        out.append("{\"error\": {\"code\": ").append(code).append(", \"name\": ");
        PythonJsonDumps.writeString(name, out);
        out.append(", \"message\": ");
        PythonJsonDumps.writeString(message, out);
        out.append(traceInData ? ", \"data\": " : ", \"error\": ");
        if (trace == null) {
            out.append("null");
        } else {
            PythonJsonDumps.writeString(trace, out);
        }
        out.append('}');
        if (idKey) {
            out.append(", \"id\": ").append(idJson == null ? "null" : idJson);
        }
        out.append(", ").append(versionMember).append('}');
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The complete HTTP response, headers in EE2's order.
     *
     * @param requestAllowHeaders the request's {@code Access-Control-Request-Headers}, which EE2
     *     echoes in {@code Access-Control-Allow-Headers}; null for EE2's default
     */
    public FullHttpResponse toResponse(ByteBufAllocator alloc, String requestAllowHeaders) {
        byte[] body = body();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.INTERNAL_SERVER_ERROR, alloc.buffer(body.length).writeBytes(body));
        HttpHeaders headers = response.headers();
        headers.add("Access-Control-Allow-Origin", "*");
        headers.add("Access-Control-Allow-Headers",
                requestAllowHeaders == null ? DEFAULT_ALLOW_HEADERS : requestAllowHeaders);
        headers.add("content-type", "application/json");
        headers.add("content-length", body.length);
        for (Header h : extraHeaders) {
            headers.add(h.name(), h.value());
        }
        return response;
    }

    @Override
    public String toString() {
        return new String(body(), StandardCharsets.US_ASCII);
    }
}
