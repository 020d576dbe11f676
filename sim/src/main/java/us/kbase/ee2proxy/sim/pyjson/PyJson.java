package us.kbase.ee2proxy.sim.pyjson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;

/**
 * JSON read and written exactly as EE2's Python does: {@code json.loads(bytes)} (C scanner,
 * strict) and {@code json.dumps(obj)} with default arguments.
 *
 * <p>Why not Jackson's parser: EE2's -32700 reply quotes Python's error text and position
 * ("Expecting ',' delimiter: line 1 column 9 (char 8)"), counts positions in code points, keeps
 * the last of duplicate keys at the first key's place, and accepts NaN and Infinity. The values
 * are Jackson trees so the rest of the simulator stays on Jackson.
 */
public final class PyJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private final int[] s;

    private PyJson(int[] s) {
        this.s = s;
    }

    /** {@code json.loads(body)} where body is bytes. */
    public static JsonNode loads(byte[] body) throws PyJsonError {
        PyJson p = new PyJson(PyBytes.decode(body));
        int idx = p.skipWs(0);
        int[] end = new int[1];
        JsonNode value = p.scanOnceOrExpectingValue(idx, end);
        int after = p.skipWs(end[0]);
        if (after != p.s.length) {
            throw p.error("Extra data", after);
        }
        return value;
    }

    /** {@code json.dumps(value)}: separators ", " and ": ", ensure_ascii, NaN allowed. */
    public static String dumps(JsonNode value) {
        StringBuilder out = new StringBuilder(128);
        PyJsonWriter.write(value, out);
        return out.toString();
    }

    /** Thrown inside the scanner where Python raises StopIteration(idx). */
    private static final class NoValue extends Exception {
        final int idx;

        NoValue(int idx) {
            super(null, null, false, false);
            this.idx = idx;
        }
    }

    private JsonNode scanOnceOrExpectingValue(int idx, int[] end) throws PyJsonError {
        try {
            return scanOnce(idx, end);
        } catch (NoValue e) {
            throw error("Expecting value", e.idx);
        }
    }

    private JsonNode scanOnce(int idx, int[] end) throws PyJsonError, NoValue {
        if (idx >= s.length) {
            throw new NoValue(idx);
        }
        int c = s[idx];
        switch (c) {
            case '"':
                return NODES.textNode(scanString(idx + 1, end));
            case '{':
                return parseObject(idx + 1, end);
            case '[':
                return parseArray(idx + 1, end);
            case 'n':
                if (matches(idx, "null")) {
                    end[0] = idx + 4;
                    return NODES.nullNode();
                }
                break;
            case 't':
                if (matches(idx, "true")) {
                    end[0] = idx + 4;
                    return NODES.booleanNode(true);
                }
                break;
            case 'f':
                if (matches(idx, "false")) {
                    end[0] = idx + 5;
                    return NODES.booleanNode(false);
                }
                break;
            case 'N':
                if (matches(idx, "NaN")) {
                    end[0] = idx + 3;
                    return NODES.numberNode(Double.NaN);
                }
                break;
            case 'I':
                if (matches(idx, "Infinity")) {
                    end[0] = idx + 8;
                    return NODES.numberNode(Double.POSITIVE_INFINITY);
                }
                break;
            case '-':
                if (matches(idx, "-Infinity")) {
                    end[0] = idx + 9;
                    return NODES.numberNode(Double.NEGATIVE_INFINITY);
                }
                break;
            default:
                break;
        }
        return matchNumber(idx, end);
    }

    private JsonNode matchNumber(int start, int[] end) throws NoValue {
        int idx = start;
        int n = s.length;
        if (idx < n && s[idx] == '-') {
            idx++;
            if (idx >= n) {
                throw new NoValue(start);
            }
        }
        if (idx < n && s[idx] >= '1' && s[idx] <= '9') {
            idx++;
            while (idx < n && isDigit(s[idx])) {
                idx++;
            }
        } else if (idx < n && s[idx] == '0') {
            idx++;
        } else {
            throw new NoValue(start);
        }
        boolean isFloat = false;
        if (idx + 1 < n && s[idx] == '.' && isDigit(s[idx + 1])) {
            isFloat = true;
            idx += 2;
            while (idx < n && isDigit(s[idx])) {
                idx++;
            }
        }
        if (idx < n && (s[idx] == 'e' || s[idx] == 'E')) {
            int e = idx + 1;
            if (e < n && (s[e] == '-' || s[e] == '+')) {
                e++;
            }
            int digits = e;
            while (e < n && isDigit(s[e])) {
                e++;
            }
            if (e > digits) {
                isFloat = true;
                idx = e;
            }
        }
        String text = new String(s, start, idx - start);
        end[0] = idx;
        if (isFloat) {
            return NODES.numberNode(Double.parseDouble(text));
        }
        BigInteger big = new BigInteger(text);
        return big.bitLength() < 32
                ? NODES.numberNode(big.intValue())
                : big.bitLength() < 64 ? NODES.numberNode(big.longValue()) : NODES.numberNode(big);
    }

    private ObjectNode parseObject(int idx, int[] end) throws PyJsonError, NoValue {
        ObjectNode obj = NODES.objectNode();
        idx = skipWs(idx);
        if (idx >= s.length || s[idx] != '}') {
            while (true) {
                if (idx >= s.length || s[idx] != '"') {
                    throw error("Expecting property name enclosed in double quotes", idx);
                }
                String key = scanString(idx + 1, end);
                idx = skipWs(end[0]);
                if (idx >= s.length || s[idx] != ':') {
                    throw error("Expecting ':' delimiter", idx);
                }
                idx = skipWs(idx + 1);
                JsonNode value = scanOnce(idx, end);
                // Python's dict keeps the first key's place and the last value.
                obj.set(key, value);
                idx = skipWs(end[0]);
                if (idx < s.length && s[idx] == '}') {
                    break;
                }
                if (idx >= s.length || s[idx] != ',') {
                    throw error("Expecting ',' delimiter", idx);
                }
                idx = skipWs(idx + 1);
            }
        }
        end[0] = idx + 1;
        return obj;
    }

    private ArrayNode parseArray(int idx, int[] end) throws PyJsonError, NoValue {
        ArrayNode arr = NODES.arrayNode();
        idx = skipWs(idx);
        if (idx >= s.length || s[idx] != ']') {
            while (true) {
                arr.add(scanOnce(idx, end));
                idx = skipWs(end[0]);
                if (idx < s.length && s[idx] == ']') {
                    break;
                }
                if (idx >= s.length || s[idx] != ',') {
                    throw error("Expecting ',' delimiter", idx);
                }
                idx = skipWs(idx + 1);
            }
        }
        end[0] = idx + 1;
        return arr;
    }

    /** CPython's scanstring_unicode, strict: {@code begin} is just after the opening quote. */
    private String scanString(int begin, int[] endOut) throws PyJsonError {
        StringBuilder sb = new StringBuilder();
        int len = s.length;
        int end = begin;
        while (true) {
            int c = 0;
            int next;
            for (next = end; next < len; next++) {
                c = s[next];
                if (c == '"' || c == '\\') {
                    break;
                }
                if (c <= 0x1f) {
                    throw error("Invalid control character at", next);
                }
            }
            if (!(c == '"' || c == '\\') || next >= len) {
                throw error("Unterminated string starting at", begin - 1);
            }
            for (int k = end; k < next; k++) {
                sb.appendCodePoint(s[k]);
            }
            next++;
            if (c == '"') {
                end = next;
                break;
            }
            if (next == len) {
                throw error("Unterminated string starting at", begin - 1);
            }
            c = s[next];
            if (c != 'u') {
                end = next + 1;
                int decoded = switch (c) {
                    case '"' -> '"';
                    case '\\' -> '\\';
                    case '/' -> '/';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    default -> -1;
                };
                if (decoded < 0) {
                    throw error("Invalid \\escape", end - 2);
                }
                sb.append((char) decoded);
            } else {
                next++;
                end = next + 4;
                if (end >= len) {
                    throw error("Invalid \\uXXXX escape", next - 1);
                }
                int u = hex4(next, end);
                next = end;
                if (Character.isHighSurrogate((char) u) && end + 6 < len
                        && s[next] == '\\' && s[next + 1] == 'u') {
                    int u2 = hex4(next + 2, end + 6);
                    if (Character.isLowSurrogate((char) u2)) {
                        u = Character.toCodePoint((char) u, (char) u2);
                        end += 6;
                    }
                }
                sb.appendCodePoint(u);
            }
        }
        endOut[0] = end;
        return sb.toString();
    }

    private int hex4(int from, int end) throws PyJsonError {
        int v = 0;
        for (int i = from; i < end; i++) {
            int c = s[i];
            int d = c >= '0' && c <= '9' ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                throw error("Invalid \\uXXXX escape", end - 5);
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private boolean matches(int idx, String word) {
        if (idx + word.length() > s.length) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (s[idx + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private int skipWs(int idx) {
        while (idx < s.length && (s[idx] == ' ' || s[idx] == '\t' || s[idx] == '\n' || s[idx] == '\r')) {
            idx++;
        }
        return idx;
    }

    /** Python's JSONDecodeError text: "msg: line L column C (char P)". */
    private PyJsonError error(String msg, int pos) {
        int line = 1;
        int lastNewline = -1;
        for (int i = 0; i < pos && i < s.length; i++) {
            if (s[i] == '\n') {
                line++;
                lastNewline = i;
            }
        }
        int col = pos - lastNewline;
        return new PyJsonError(msg + ": line " + line + " column " + col + " (char " + pos + ")");
    }
}
