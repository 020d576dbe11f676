package us.kbase.ee2proxy.jsonrpc;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;
import us.kbase.ee2proxy.policy.request.JobCreation;

/**
 * Reads a request body the way EE2 does: Python's {@code json.loads(bytes)} (encoding detection,
 * 'surrogatepass' decoding, CPython's scanner, last duplicate key wins), then the checks its WSGI
 * handler makes before dispatching ({@code method} with one dot, {@code id}, {@code params}).
 *
 * <p>Runs on every request, on the event loop: two passes over the body, the first checking the
 * whole of it without building anything, the second decoding only the members the method needs
 * (nothing but the method name for a pass-through call). Stateless and thread-safe.
 */
public final class JsonRpcSniffer {

    /**
     * Bodies in direct buffers are copied into a per-thread array reused across requests (the
     * results keep nothing of it), grown up to this size; larger ones get an array of their own.
     */
    private static final int MAX_SCRATCH = 1 << 20;

    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[16 * 1024];
        }
    };

    private JsonRpcSniffer() {}

    /** Sniffs the readable bytes of {@code body}; its reader index and content are left as they were. */
    public static SniffResult sniff(ByteBuf body) {
        int length = body.readableBytes();
        if (body.hasArray()) {
            return sniff(body.array(), body.arrayOffset() + body.readerIndex(), length);
        }
        byte[] copy = scratch(length);
        body.getBytes(body.readerIndex(), copy, 0, length);
        return sniff(copy, 0, length);
    }

    private static byte[] scratch(int length) {
        byte[] scratch = SCRATCH.get();
        if (length <= scratch.length) {
            return scratch;
        }
        if (length > MAX_SCRATCH) {
            return new byte[length];
        }
        scratch = new byte[Math.max(length, Math.min(MAX_SCRATCH, scratch.length * 2))];
        SCRATCH.set(scratch);
        return scratch;
    }

    /** Sniffs {@code body[offset, offset + length)}, which it does not modify or keep. */
    public static SniffResult sniff(byte[] body, int offset, int length) {
        BodyText text = null;
        TopLevel top;
        try {
            text = BodyText.of(body, offset, length);
            top = PythonJsonScanner.scan(text.text(), text.start(), text.end());
        } catch (PythonJsonError e) {
            // Python decodes the whole body before parsing: a bad byte anywhere is the error.
            if (text != null && !text.checked()) {
                String decodeError = Utf8Check.firstError(text.text(), text.start(), text.end());
                if (decodeError != null) {
                    return new SniffResult.ParseError(decodeError);
                }
            }
            return new SniffResult.ParseError(e.getMessage());
        }
        return call(text, top);
    }

    /** Sniffs a whole array. */
    public static SniffResult sniff(byte[] body) {
        return sniff(body, 0, body.length);
    }

    /** EE2's handler on a parsed body: what it dispatches, or why it crashes first. */
    private static SniffResult call(BodyText text, TopLevel top) {
        byte[] b = text.text();
        if (b[skipWhitespace(b, text.start())] != '{') {
            return new SniffResult.NotACall(SniffResult.Reason.NOT_AN_OBJECT, null);
        }
        if (!top.has(TopLevel.METHOD)) {
            return new SniffResult.NotACall(SniffResult.Reason.NO_METHOD, null);
        }
        int at = top.start(TopLevel.METHOD);
        if (!JsonValues.isString(b, at)) {
            return new SniffResult.NotACall(SniffResult.Reason.METHOD_NOT_A_STRING, null);
        }
        Ee2Method method;
        String name;
        int nameEnd = top.end(TopLevel.METHOD) - 1;
        if (isPlainAscii(b, at + 1, nameEnd)) {
            method = Ee2Method.ofJsonRpcName(b, at + 1, nameEnd);
            name = method == Ee2Method.UNKNOWN ? JsonValues.text(b, at + 1, nameEnd) : method.jsonRpcName();
        } else {
            name = JsonValues.string(b, at);
            method = Ee2Method.ofJsonRpcName(name);
        }
        int dot = name.indexOf('.');
        if (dot < 0 || name.indexOf('.', dot + 1) >= 0) {
            return new SniffResult.NotACall(SniffResult.Reason.METHOD_WITHOUT_ONE_DOT, name);
        }
        if (!top.has(TopLevel.ID)) {
            return new SniffResult.NotACall(SniffResult.Reason.NO_ID, name);
        }
        if (!top.has(TopLevel.PARAMS)) {
            return new SniffResult.NotACall(SniffResult.Reason.NO_PARAMS, name);
        }
        RpcEnvelope envelope =
                new RpcEnvelope(top.dumps(TopLevel.ID), top.dumps(TopLevel.VERSION), top.dumps(TopLevel.JSONRPC));
        JobCreation creation = null;
        List<String> jobIds = List.of();
        String jobId = null;
        String status = null;
        if (method.group() != Ee2Method.Group.OTHER) {
            CallParams params = new CallParams(b, top.start(TopLevel.PARAMS));
            if (method.createsJobs()) {
                creation = params.creation(method);
            } else {
                jobIds = params.jobIds();
                jobId = params.jobId();
                if (method == Ee2Method.UPDATE_JOB_STATUS) {
                    status = params.status();
                } else if (method == Ee2Method.FINISH_JOB) {
                    status = params.finishStatus(); // once per job: the runner's last call
                }
            }
        }
        return new SniffResult.Call(method, name, envelope, creation, jobIds, jobId, status);
    }

    private static int skipWhitespace(byte[] b, int i) {
        while (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
            i++;
        }
        return i;
    }

    private static boolean isPlainAscii(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < 0 || b[i] == '\\') {
                return false;
            }
        }
        return true;
    }
}
