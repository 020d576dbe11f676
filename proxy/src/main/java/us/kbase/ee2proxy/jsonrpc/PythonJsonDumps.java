package us.kbase.ee2proxy.jsonrpc;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value of an accepted body re-written as EE2 writes it back: Python's {@code json.dumps} of
 * what {@code json.loads} made of it (", " and ": " separators, non-ASCII escaped, duplicate
 * keys collapsed in place, floats in Python's shortest {@code repr}). EE2 echoes the request's
 * {@code id} this way, so the proxy's own errors must too.
 */
final class PythonJsonDumps {

    /** Deeper than this, CPython's parser would have hit its recursion limit: kept as sent. */
    private static final int MAX_DEPTH = 1000;

    private PythonJsonDumps() {}

    /** The value spanning {@code [start, end)} of accepted text {@code b}. */
    static String dumps(byte[] b, int start, int end) {
        if (writtenAsPythonWould(b, start, end)) {
            return JsonValues.text(b, start, end);
        }
        StringBuilder out = new StringBuilder();
        if (!write(b, start, out, 0)) {
            return JsonValues.text(b, start, JsonValues.valueEnd(b, start));
        }
        return out.toString();
    }

    /**
     * The common ids and versions, {@code "7364829105"}, {@code 12}, {@code "1.1"}: a string of
     * printable ASCII without escapes, or an integer other than {@code -0}, which json.dumps
     * writes back exactly as sent.
     */
    private static boolean writtenAsPythonWould(byte[] b, int start, int end) {
        if (b[start] == '"') {
            for (int i = start + 1; i < end - 1; i++) {
                if (b[i] < 0x20 || b[i] > 0x7E || b[i] == '\\') {
                    return false;
                }
            }
            return true;
        }
        for (int i = b[start] == '-' ? start + 1 : start; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
        }
        return !(end - start == 2 && b[start] == '-' && b[start + 1] == '0');
    }

    private static boolean write(byte[] b, int at, StringBuilder out, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        switch (b[at]) {
            case '"' -> writeString(JsonValues.string(b, at), out);
            case '[' -> {
                out.append('[');
                int[] elements = JsonValues.elements(b, at);
                for (int i = 0; i < elements.length; i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    if (!write(b, elements[i], out, depth + 1)) {
                        return false;
                    }
                }
                out.append(']');
            }
            case '{' -> {
                // A dict keeps a duplicate key where it first appeared, with its last value.
                Map<String, Integer> members = new LinkedHashMap<>();
                for (int[] member : members(b, at)) {
                    members.put(JsonValues.string(b, member[0]), member[1]);
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, Integer> member : members.entrySet()) {
                    out.append(first ? "" : ", ");
                    first = false;
                    writeString(member.getKey(), out);
                    out.append(": ");
                    if (!write(b, member.getValue(), out, depth + 1)) {
                        return false;
                    }
                }
                out.append('}');
            }
            case 't', 'f', 'n', 'N', 'I' -> out.append(JsonValues.text(b, at, JsonValues.valueEnd(b, at)));
            default -> writeNumber(JsonValues.text(b, at, JsonValues.valueEnd(b, at)), out);
        }
        return true;
    }

    /** (key quote, value start) of each member of the object at {@code at}, in order. */
    private static List<int[]> members(byte[] b, int at) {
        List<int[]> out = new ArrayList<>();
        int i = JsonValues.skipWhitespace(b, at + 1);
        if (b[i] == '}') {
            return out;
        }
        for (;;) {
            int key = i;
            int value = JsonValues.skipWhitespace(b, JsonValues.skipWhitespace(b, JsonValues.stringEnd(b, key)) + 1);
            out.add(new int[] {key, value});
            i = JsonValues.skipWhitespace(b, JsonValues.valueEnd(b, value));
            if (b[i] == '}') {
                return out;
            }
            i = JsonValues.skipWhitespace(b, i + 1);
        }
    }

    /** {@code json.dumps} of a str with {@code ensure_ascii=True}. */
    static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7E) {
                        out.append("\\u").append(Character.forDigit(c >> 12, 16))
                                .append(Character.forDigit(c >> 8 & 0xF, 16))
                                .append(Character.forDigit(c >> 4 & 0xF, 16))
                                .append(Character.forDigit(c & 0xF, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void writeNumber(String text, StringBuilder out) {
        boolean isFloat = text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0;
        if (!isFloat) {
            out.append(text.equals("-0") ? "0" : text);
            return;
        }
        if (text.equals("-Infinity")) {
            out.append(text);
            return;
        }
        out.append(floatRepr(Double.parseDouble(text)));
    }

    /**
     * Python's {@code float.__repr__} as {@code json.dumps} uses it: the shortest digits that read
     * back to the same double, in fixed notation for exponents -4 to 16, else as {@code 1e+16}.
     */
    static String floatRepr(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "Infinity" : "-Infinity";
        }
        if (x == 0) {
            return 1 / x < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Math.abs(x));
        BigDecimal shortest = exact;
        for (int precision = 1; precision <= 17; precision++) {
            shortest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (shortest.doubleValue() == Math.abs(x)) {
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        // x = 0.d1d2...dn * 10^decimalPoint
        int decimalPoint = digits.length() - shortest.scale();
        StringBuilder out = new StringBuilder(x < 0 ? "-" : "");
        if (decimalPoint <= -4 || decimalPoint > 16) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exponent = decimalPoint - 1;
            out.append(exponent < 0 ? "e-" : "e+");
            out.append(Math.abs(exponent) < 10 ? "0" : "").append(Math.abs(exponent));
        } else if (decimalPoint <= 0) {
            out.append("0.").append("0".repeat(-decimalPoint)).append(digits);
        } else if (decimalPoint >= digits.length()) {
            out.append(digits).append("0".repeat(decimalPoint - digits.length())).append(".0");
        } else {
            out.append(digits, 0, decimalPoint).append('.').append(digits, decimalPoint, digits.length());
        }
        return out.toString();
    }
}
