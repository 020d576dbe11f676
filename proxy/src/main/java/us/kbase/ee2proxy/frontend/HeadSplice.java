package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
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
    /** Never copied: written by the proxy (Host, Content-Length), answered by it (Expect), or hop-by-hop. */
    private static final byte[][] EDITED = {
        lower("host"), lower("content-length"), lower("expect"), CONNECTION, lower("keep-alive"),
        lower("proxy-connection"), lower("te"), lower("trailer"), lower("transfer-encoding"), lower("upgrade"),
    };

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
        // First pass: is it plain, and which values do Connection lines hold (the names they list go too)?
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
            int lf = colon < 0 ? -1 : indexOf(raw, colon, LF);
            if (lf < 0 || raw[lf - 1] != CR) {
                return false; // no colon, whitespace in the name, a folded line or a bare LF
            }
            headers++;
            if (is(raw, pos, colon, CONNECTION)) {
                if (connection == null || connection.length == 2 * connections) {
                    connection = connection == null ? new int[4] : Arrays.copyOf(connection, 2 * connection.length);
                }
                connection[2 * connections] = colon + 1;
                connection[2 * connections + 1] = lf - 1;
                connections++;
            } else if (is(raw, pos, colon, X_FORWARDED_FOR)) {
                forwardedFor++;
            }
            pos = lf + 1;
        }
        int end = pos; // the blank line
        if (headers != kept.headers()) {
            return false; // the decoder saw another head than these lines (it may have merged or dropped one)
        }
        for (int c = 0; c < connections && forwardedFor > 0; c++) {
            if (listed(raw, connection[2 * c], connection[2 * c + 1], X_FORWARDED_FOR, 0, X_FORWARDED_FOR.length)) {
                return false; // X-Forwarded-For made hop-by-hop: rare enough to leave to the re-written head
            }
        }

        String uri = client.uri();
        if (target.equals(uri) && client.protocolVersion() == HttpVersion.HTTP_1_1) {
            out.writeBytes(raw, 0, lineEnd + 1);
        } else {
            out.writeCharSequence(client.method().asciiName(), StandardCharsets.ISO_8859_1);
            out.writeByte(' ');
            out.writeCharSequence(target, StandardCharsets.ISO_8859_1);
            out.writeCharSequence(" HTTP/1.1\r\n", StandardCharsets.ISO_8859_1);
        }
        HeaderLines.line(out, HttpHeaderNames.HOST, host);
        // Second pass: copy the kept lines, a run of them at a time.
        int run = lineEnd + 1;
        for (pos = lineEnd + 1; pos < end; ) {
            int colon = nameEnd(raw, pos);
            int next = indexOf(raw, colon, LF) + 1;
            if (edited(raw, pos, colon, connection, connections)) {
                out.writeBytes(raw, run, pos - run);
                run = next;
            }
            pos = next;
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

    private static boolean edited(byte[] raw, int from, int to, int[] connection, int connections) {
        int length = to - from;
        for (byte[] name : EDITED) {
            if (name.length == length && is(raw, from, to, name)) {
                return true;
            }
        }
        if (is(raw, from, to, X_FORWARDED_FOR)) {
            return true;
        }
        for (int c = 0; c < connections; c++) {
            if (listed(raw, connection[2 * c], connection[2 * c + 1], raw, from, to - from)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the comma-separated tokens of {@code raw[valueFrom..valueTo]} name the header {@code name[from..from+length]}. */
    private static boolean listed(byte[] raw, int valueFrom, int valueTo, byte[] name, int from, int length) {
        int start = valueFrom;
        while (start <= valueTo) {
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
            if (e - s == length && sameIgnoringCase(raw, s, name, from, length)) {
                return true;
            }
            start = comma + 1;
        }
        return false;
    }

    /** Whether {@code from..to} is {@code lowerName}, ASCII letters in either case. */
    private static boolean is(byte[] raw, int from, int to, byte[] lowerName) {
        return to - from == lowerName.length && sameIgnoringCase(raw, from, lowerName, 0, lowerName.length);
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

    private static int indexOf(byte[] raw, int from, byte b) {
        for (int i = from; i < raw.length; i++) {
            if (raw[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The folded X-Forwarded-For with the client appended, from the decoded values (as the decoder trimmed them). */
    private static String forwardedFor(HttpHeaders decoded, int lines, String clientIp) {
        if (lines == 0) {
            return clientIp;
        }
        if (lines == 1) {
            return decoded.get(UpstreamRequests.X_FORWARDED_FOR) + ", " + clientIp;
        }
        List<String> values = decoded.getAll(UpstreamRequests.X_FORWARDED_FOR);
        return String.join(", ", values) + ", " + clientIp;
    }

    private static byte[] lower(String name) {
        return name.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }
}
