package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The head for EE2 spliced from the client's own head bytes ({@link ClientHead}): the request line
 * copied (re-written only when the target or version changes), {@code Host} set to EE2's, then every
 * header line copied as it arrived, in its order, case and spacing, except those the proxy must edit:
 * {@code Host}, {@code Content-Length} (written from the aggregated body), {@code Expect}, the
 * hop-by-hop ones ({@link HopByHopHeaders}, with the names {@code Connection} lists) and
 * {@code X-Forwarded-For} (its values folded, the client's address appended, written once). The
 * edited lines go where the re-written head puts them, so both ways give EE2 the same order.
 *
 * <p>Only a plain head is spliced: CRLF line ends, a request line that is exactly the decoded
 * method, target and version with single spaces, no folded (obs-fold) lines, no whitespace in a
 * name, and as many header lines as the decoder counted. Anything else returns false before a byte
 * is written, and the caller re-writes the head from the decoded headers, as before heads were kept.
 * Names are matched by a case-insensitive byte compare on the array: no String per header.
 */
final class HeadSplice {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] CONNECTION = lower("connection");
    private static final byte[] X_FORWARDED_FOR = lower(UpstreamRequests.X_FORWARDED_FOR);
    /** As an AsciiString its hash is computed once, not per lookup. */
    private static final AsciiString FORWARDED_FOR_NAME = AsciiString.cached(UpstreamRequests.X_FORWARDED_FOR);
    /**
     * Never copied, by length: written by the proxy (Host, Content-Length, X-Forwarded-For), answered by
     * it (Expect), or hop-by-hop.
     */
    private static final byte[][][] BY_LENGTH = byLength(lower("host"), lower("content-length"), lower("expect"), CONNECTION,
            lower("keep-alive"), lower("proxy-connection"), lower("te"), lower("trailer"), lower("transfer-encoding"),
            lower("upgrade"), X_FORWARDED_FOR);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** How the splice sees a header line ({@link #edited}). */
    private static final int KEPT = 0;
    private static final int EDITED_LINE = 1;
    private static final int CONNECTION_LINE = 2;
    private static final int FORWARDED_FOR_LINE = 3;

    private HeadSplice() {}

    /**
     * Writes the head for EE2 into {@code out}, or returns false with nothing written when
     * {@code kept} is not plain (see the class comment).
     *
     * @param target the request target for EE2 ({@link UpstreamRequests}); the client's line is copied when it is the client's own
     * @param bodyLength the aggregated body's length, sent as {@code Content-Length}
     */
    static boolean write(ByteBuf out, ClientHead kept, HttpRequest client, String target, CharSequence host,
            int bodyLength, String clientIp) {
        byte[] raw = kept.bytes();
        int lineEnd = requestLineEnd(raw, client);
        if (lineEnd < 0) {
            return false;
        }
        // One pass to see that it is plain and mark its lines: where each starts, whether the proxy
        // edits it (a negative start), and which values Connection lines hold (the names they list go too).
        int[] starts = new int[kept.headers() + 1];
        int headers = 0;
        int forwardedFor = 0;
        int[] connection = null;
        int connections = 0;
        int pos = lineEnd + 1;
        while (true) {
            if (pos + 1 >= raw.length) {
                return false;
            }
            if (raw[pos] == CR && raw[pos + 1] == LF) {
                if (pos + 2 != raw.length) {
                    return false;
                }
                break;
            }
            int colon = nameEnd(raw, pos);
            int lf = colon < 0 ? -1 : indexOfLf(raw, colon);
            if (lf < 0 || raw[lf - 1] != CR || headers == kept.headers()) {
                // no colon, whitespace in the name, a folded line, a bare LF, or more lines than the decoder counted
                return false;
            }
            int edit = edited(raw, pos, colon);
            if (edit == CONNECTION_LINE) {
                if (connection == null || connection.length == 2 * connections) {
                    connection = connection == null ? new int[4] : Arrays.copyOf(connection, 2 * connection.length);
                }
                connection[2 * connections] = colon + 1;
                connection[2 * connections + 1] = lf - 1;
                connections++;
            } else if (edit == FORWARDED_FOR_LINE) {
                forwardedFor++;
            }
            starts[headers++] = edit == KEPT ? pos : -pos;
            pos = lf + 1;
        }
        int end = pos; // the blank line
        if (headers != kept.headers()) {
            return false; // the decoder saw another head than these lines (it may have merged or dropped one)
        }
        starts[headers] = end;
        // A Connection that lists only names dropped anyway ("keep-alive", the usual) drops nothing more.
        boolean listsOthers = false;
        for (int c = 0; c < connections; c++) {
            if (forwardedFor > 0 && listed(raw, connection[2 * c], connection[2 * c + 1], X_FORWARDED_FOR, 0, X_FORWARDED_FOR.length)) {
                return false; // X-Forwarded-For made hop-by-hop: rare enough to leave to the re-written head
            }
            listsOthers |= listsOthers(raw, connection[2 * c], connection[2 * c + 1]);
        }

        if (target.equals(client.uri()) && client.protocolVersion() == HttpVersion.HTTP_1_1) {
            out.writeBytes(raw, 0, lineEnd + 1);
        } else {
            out.writeCharSequence(client.method().asciiName(), StandardCharsets.ISO_8859_1);
            out.writeByte(' ');
            out.writeCharSequence(target, StandardCharsets.ISO_8859_1);
            out.writeCharSequence(" HTTP/1.1\r\n", StandardCharsets.ISO_8859_1);
        }
        HeaderLines.line(out, HttpHeaderNames.HOST, host);
        // Copy the kept lines, a run of them at a time.
        int run = lineEnd + 1;
        for (int h = 0; h < headers; h++) {
            int start = starts[h];
            boolean edit = start < 0;
            start = Math.abs(start);
            if (!edit && listsOthers) {
                int colon = nameEnd(raw, start);
                for (int c = 0; c < connections && !edit; c++) {
                    edit = listed(raw, connection[2 * c], connection[2 * c + 1], raw, start, colon - start);
                }
            }
            if (edit) {
                out.writeBytes(raw, run, start - run);
                run = Math.abs(starts[h + 1]);
            }
        }
        out.writeBytes(raw, run, end - run);
        HeaderLines.line(out, HttpHeaderNames.CONTENT_LENGTH, Integer.toString(bodyLength));
        HeaderLines.line(out, UpstreamRequests.X_FORWARDED_FOR, forwardedFor(client.headers(), forwardedFor, clientIp));
        HeaderLines.end(out);
        return true;
    }

    /**
     * The index of the request line's LF when the line is exactly {@code method SP target SP version CRLF}
     * as decoded, else -1 (e.g. the decoder skipped other bytes before it than {@link HeadKeepingDecoder} did).
     */
    static int requestLineEnd(byte[] raw, HttpRequest client) {
        AsciiString method = client.method().asciiName();
        String uri = client.uri();
        String version = client.protocolVersion().text();
        int m = method.length();
        int u = uri.length();
        int lf = m + 1 + u + 1 + version.length() + 1;
        if (raw.length <= lf || raw[lf] != LF || raw[lf - 1] != CR || raw[m] != ' ' || raw[m + 1 + u] != ' ') {
            return -1;
        }
        for (int i = 0; i < m; i++) {
            if (raw[i] != method.byteAt(i)) {
                return -1;
            }
        }
        for (int i = 0; i < u; i++) {
            if ((raw[m + 1 + i] & 0xff) != uri.charAt(i)) {
                return -1;
            }
        }
        for (int i = 0, at = m + u + 2; i < version.length(); i++) {
            if ((raw[at + i] & 0xff) != version.charAt(i)) {
                return -1;
            }
        }
        return lf;
    }

    /** The index of the colon ending the name that starts at {@code from}; -1 if a space, tab, CR or LF comes first. */
    private static int nameEnd(byte[] raw, int from) {
        for (int i = from; i < raw.length; i++) {
            byte b = raw[i];
            if (b == ':') {
                return i == from ? -1 : i;
            }
            if (b == ' ' || b == '\t' || b == CR || b == LF) {
                return -1;
            }
        }
        return -1;
    }

    /** Whether the proxy edits the header named {@code from..to} (whatever Connection lists aside), and how. */
    private static int edited(byte[] raw, int from, int to) {
        int length = to - from;
        if (length >= BY_LENGTH.length || BY_LENGTH[length] == null) {
            return KEPT;
        }
        for (byte[] name : BY_LENGTH[length]) {
            if (sameIgnoringCase(raw, from, name, 0, length)) {
                return name == CONNECTION ? CONNECTION_LINE : name == X_FORWARDED_FOR ? FORWARDED_FOR_LINE : EDITED_LINE;
            }
        }
        return KEPT;
    }

    /** Whether the comma-separated tokens of {@code raw[valueFrom..valueTo]} name a header the splice would otherwise keep. */
    private static boolean listsOthers(byte[] raw, int valueFrom, int valueTo) {
        return anyToken(raw, valueFrom, valueTo, (s, e) -> edited(raw, s, e) == KEPT);
    }

    /** Whether the comma-separated tokens of {@code raw[valueFrom..valueTo]} name the header {@code name[from..from+length]}. */
    private static boolean listed(byte[] raw, int valueFrom, int valueTo, byte[] name, int from, int length) {
        return anyToken(raw, valueFrom, valueTo, (s, e) -> e - s == length && sameIgnoringCase(raw, s, name, from, length));
    }

    /** A test of one token, {@code raw[from..to]}, trimmed of whitespace. */
    private interface TokenTest {
        boolean test(int from, int to);
    }

    /** Whether any comma-separated token of {@code raw[valueFrom..valueTo]} passes {@code test} (empty ones are skipped). */
    private static boolean anyToken(byte[] raw, int valueFrom, int valueTo, TokenTest test) {
        for (int start = valueFrom; start <= valueTo; ) {
            int comma = start;
            while (comma < valueTo && raw[comma] != ',') {
                comma++;
            }
            int s = start;
            int e = comma;
            while (s < e && (raw[s] & 0xff) <= ' ') {
                s++;
            }
            while (e > s && (raw[e - 1] & 0xff) <= ' ') {
                e--;
            }
            if (e > s && test.test(s, e)) {
                return true;
            }
            start = comma + 1;
        }
        return false;
    }

    private static boolean sameIgnoringCase(byte[] a, int aFrom, byte[] b, int bFrom, int length) {
        for (int i = 0; i < length; i++) {
            if (lowerAscii(a[aFrom + i]) != lowerAscii(b[bFrom + i])) {
                return false;
            }
        }
        return true;
    }

    private static int lowerAscii(byte b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    /** The first LF at or after {@code from}, or -1: eight bytes at a time (a head is mostly values). */
    static int indexOfLf(byte[] raw, int from) {
        int i = from;
        for (; i + Long.BYTES <= raw.length; i += Long.BYTES) {
            long x = (long) LONGS.get(raw, i) ^ 0x0A0A0A0A0A0A0A0AL; // an LF byte becomes zero
            long zeros = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L; // the lowest flag is the first zero
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < raw.length; i++) {
            if (raw[i] == LF) {
                return i;
            }
        }
        return -1;
    }

    private static byte[][][] byLength(byte[]... names) {
        byte[][][] table = new byte[18][][];
        for (byte[] name : names) {
            byte[][] same = table[name.length];
            same = same == null ? new byte[1][] : Arrays.copyOf(same, same.length + 1);
            same[same.length - 1] = name;
            table[name.length] = same;
        }
        return table;
    }

    /** The folded X-Forwarded-For with the client appended, from the decoded values (as the decoder trimmed them). */
    private static String forwardedFor(HttpHeaders decoded, int lines, String clientIp) {
        if (lines == 0) {
            return clientIp;
        }
        if (lines == 1) {
            return decoded.get(FORWARDED_FOR_NAME) + ", " + clientIp;
        }
        List<String> values = decoded.getAll(FORWARDED_FOR_NAME);
        return String.join(", ", values) + ", " + clientIp;
    }

    private static byte[] lower(String name) {
        return name.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }
}
