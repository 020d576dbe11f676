package us.kbase.ee2proxy.jsonrpc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Pass two of the sniffer: reads single values out of text {@link PythonJsonScanner} has
 * already accepted, so nothing here checks syntax. Values are decoded the way Python sees them.
 */
final class JsonValues {

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private JsonValues() {}

    static int skipWhitespace(byte[] b, int i) {
        while (i < b.length) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    /** The index just past the value starting at {@code i}. */
    static int valueEnd(byte[] b, int i) {
        int depth = 0;
        do {
            byte c = b[i];
            if (c == '"') {
                i = stringEnd(b, i);
            } else if (c == '{' || c == '[') {
                depth++;
                i++;
            } else if (c == '}' || c == ']') {
                depth--;
                i++;
            } else if (depth > 0) {
                i++;
            } else {
                // A scalar at the top of this value: runs to the next delimiter or whitespace.
                while (i < b.length && !isDelimiter(b[i])) {
                    i++;
                }
            }
        } while (depth > 0);
        return i;
    }

    /** The index just past the string whose opening quote is at {@code quote}. */
    static int stringEnd(byte[] b, int quote) {
        int i = quote + 1;
        for (;;) {
            while (i <= b.length - Long.BYTES && !hasQuoteOrBackslash((long) LONGS.get(b, i))) {
                i += Long.BYTES;
            }
            byte c = b[i];
            if (c == '"') {
                return i + 1;
            }
            i += c == '\\' ? 2 : 1;
        }
    }

    /** Whether the value at {@code i} is a JSON string. */
    static boolean isString(byte[] b, int i) {
        return b[i] == '"';
    }

    static boolean isObject(byte[] b, int i) {
        return b[i] == '{';
    }

    static boolean isArray(byte[] b, int i) {
        return b[i] == '[';
    }

    /** The string whose opening quote is at {@code quote}, escapes resolved as Python does. */
    static String string(byte[] b, int quote) {
        int end = stringEnd(b, quote) - 1;
        int from = quote + 1;
        boolean plain = true;
        for (int i = from; i < end; i++) {
            if (b[i] == '\\' || b[i] < 0) {
                plain = false;
                break;
            }
        }
        if (plain) {
            return new String(b, from, end - from, StandardCharsets.ISO_8859_1);
        }
        StringBuilder out = new StringBuilder(end - from);
        int i = from;
        while (i < end) {
            byte c = b[i];
            if (c == '\\') {
                byte e = b[i + 1];
                i += 2;
                switch (e) {
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(new String(b, i, 4, StandardCharsets.ISO_8859_1), 16));
                        i += 4;
                    }
                    default -> out.append((char) e);
                }
            } else {
                i = appendCodePoint(b, i, out);
            }
        }
        return out.toString();
    }

    /** {@code b[from, to)} decoded as text: one UTF-8 sequence per code point, surrogates kept. */
    static String text(byte[] b, int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            if (b[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        }
        StringBuilder out = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            i = appendCodePoint(b, i, out);
        }
        return out.toString();
    }

    private static int appendCodePoint(byte[] b, int i, StringBuilder out) {
        int c = b[i] & 0xFF;
        if (c < 0x80) {
            out.append((char) c);
            return i + 1;
        }
        if (c < 0xE0) {
            out.append((char) ((c & 0x1F) << 6 | b[i + 1] & 0x3F));
            return i + 2;
        }
        if (c < 0xF0) {
            out.append((char) ((c & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | b[i + 2] & 0x3F));
            return i + 3;
        }
        out.appendCodePoint((c & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | b[i + 3] & 0x3F);
        return i + 4;
    }

    /**
     * Python's {@code bool()} of the value at {@code i}: false for null, false, 0 (any spelling,
     * or a float that underflows to 0), "", [] and {}; true for everything else, NaN included.
     */
    static boolean truthy(byte[] b, int i) {
        switch (b[i]) {
            case 'n', 'f' -> {
                return false;
            }
            case 't', 'N', 'I' -> {
                return true;
            }
            case '"' -> {
                return b[i + 1] != '"';
            }
            case '{', '[' -> {
                return b[skipWhitespace(b, i + 1)] != (b[i] == '{' ? '}' : ']');
            }
            default -> {
                int end = valueEnd(b, i);
                if (b[i] == '-' && b[i + 1] == 'I') {
                    return true;
                }
                boolean isFloat = false;
                boolean nonZeroDigit = false;
                for (int k = i; k < end; k++) {
                    byte c = b[k];
                    if (c == '.' || c == 'e' || c == 'E') {
                        isFloat = true;
                        break;
                    }
                    nonZeroDigit |= c >= '1' && c <= '9';
                }
                if (!isFloat) {
                    return nonZeroDigit;
                }
                return Double.parseDouble(new String(b, i, end - i, StandardCharsets.ISO_8859_1)) != 0.0;
            }
        }
    }

    /**
     * For the object at {@code object}, where the LAST value of each of {@code names} starts
     * (Python keeps the last duplicate), -1 for a name not present.
     */
    static int[] lastValues(byte[] b, int object, byte[][] names) {
        int[] found = new int[names.length];
        Arrays.fill(found, -1);
        int i = skipWhitespace(b, object + 1);
        if (b[i] == '}') {
            return found;
        }
        for (;;) {
            int keyQuote = i;
            int keyEnd = stringEnd(b, keyQuote);
            i = skipWhitespace(b, skipWhitespace(b, keyEnd) + 1);
            int which = nameIndex(b, keyQuote, keyEnd, names);
            if (which >= 0) {
                found[which] = i;
            }
            i = skipWhitespace(b, valueEnd(b, i));
            if (b[i] == '}') {
                return found;
            }
            i = skipWhitespace(b, i + 1);
        }
    }

    /** Where each element of the array at {@code array} starts. */
    static int[] elements(byte[] b, int array) {
        int[] found = new int[4];
        int n = 0;
        int i = skipWhitespace(b, array + 1);
        if (b[i] == ']') {
            return new int[0];
        }
        for (;;) {
            if (n == found.length) {
                found = Arrays.copyOf(found, n * 2);
            }
            found[n++] = i;
            i = skipWhitespace(b, valueEnd(b, i));
            if (b[i] == ']') {
                return Arrays.copyOf(found, n);
            }
            i = skipWhitespace(b, i + 1);
        }
    }

    static byte[][] names(String... names) {
        return Arrays.stream(names).map(n -> n.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    }

    private static int nameIndex(byte[] b, int keyQuote, int keyEnd, byte[][] names) {
        int from = keyQuote + 1;
        int to = keyEnd - 1;
        for (int k = from; k < to; k++) {
            if (b[k] == '\\') {
                String key = string(b, keyQuote);
                for (int n = 0; n < names.length; n++) {
                    if (key.equals(new String(names[n], StandardCharsets.US_ASCII))) {
                        return n;
                    }
                }
                return -1;
            }
        }
        for (int n = 0; n < names.length; n++) {
            byte[] name = names[n];
            if (name.length == to - from && Arrays.equals(name, 0, name.length, b, from, to)) {
                return n;
            }
        }
        return -1;
    }

    /** SWAR: whether any of the eight bytes of {@code word} is a quote or a backslash. */
    private static boolean hasQuoteOrBackslash(long word) {
        long quote = word ^ 0x2222222222222222L;
        long backslash = word ^ 0x5C5C5C5C5C5C5C5CL;
        long zeroes = ((quote - 0x0101010101010101L) & ~quote) | ((backslash - 0x0101010101010101L) & ~backslash);
        return (zeroes & 0x8080808080808080L) != 0;
    }

    private static boolean isDelimiter(byte c) {
        return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
