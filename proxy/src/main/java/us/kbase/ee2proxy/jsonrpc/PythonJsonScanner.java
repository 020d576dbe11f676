package us.kbase.ee2proxy.jsonrpc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Pass one of the sniffer: checks a whole body against the grammar of CPython's {@code _json}
 * scanner (the one {@code json.loads} uses), with its error messages and positions, and notes
 * where the top-level members EE2 reads begin and end; it builds nothing.
 *
 * <p>Why not Jackson: Python's verdict must be matched on every input and its messages
 * reproduced, and Jackson differs in ways that each need a patch (several root values,
 * {@code +Infinity}, lax UTF-8 inside skipped strings, name and number length limits, symbol
 * table overflow, byte rather than code point positions), while its error messages are no use
 * here. The grammar is small; writing it out once, iteratively (no stack overflow on deep
 * nesting), is simpler than fencing Jackson in.
 *
 * <p>Python's rules reproduced: whitespace is exactly space, tab, LF, CR; {@code NaN},
 * {@code Infinity}, {@code -Infinity} are values; numbers are {@code -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?}
 * and an integer of more than 4300 digits is a ValueError (Python 3.11's int limit); control
 * characters below U+0020 are refused inside strings; escapes are {@code \" \\ \/ \b \f \n \r \t
 * \\uXXXX}; anything after the value but whitespace is "Extra data".
 */
final class PythonJsonScanner {

    /** CPython 3.11 {@code sys.int_info.default_max_str_digits}. */
    static final int MAX_INT_DIGITS = 4300;

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final byte IN_OBJECT = 1;
    private static final byte IN_ARRAY = 2;

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NAN = {'N', 'a', 'N'};
    private static final byte[] INFINITY = {'I', 'n', 'f', 'i', 'n', 'i', 't', 'y'};

    private final byte[] b;
    private final int start;
    private final int end;
    private final TopLevel top;
    private byte[] stack = new byte[32];
    private int depth;
    /** Whether the last string scanned held a backslash escape. */
    private boolean escaped;
    /** The top-level member being read ({@link TopLevel#OTHER} if none EE2 reads) and where its value starts. */
    private int member = TopLevel.OTHER;
    private int memberValueStart;

    private PythonJsonScanner(byte[] text, int start, int end) {
        this.b = text;
        this.start = start;
        this.end = end;
        this.top = new TopLevel(text);
    }

    /**
     * Scans {@code text[start, end)}.
     *
     * @throws PythonJsonError Python's JSONDecodeError or ValueError for this text; for text not
     *     yet known to be valid UTF-8, an undecodable sequence inside a string also throws (with a
     *     placeholder message: the caller reports Python's decode error, which comes first)
     */
    static TopLevel scan(byte[] text, int start, int end) throws PythonJsonError {
        return new PythonJsonScanner(text, start, end).scan();
    }

    /**
     * The whole text, iteratively: each step either opens a container (the next value starts
     * inside it) or completes a value (containers then close until one expects more).
     */
    private TopLevel scan() throws PythonJsonError {
        int pos = skipWhitespace(start);
        for (;;) {
            int next = openValue(pos);
            if (next >= 0) {
                pos = next;
                continue;
            }
            pos = afterValue(scanScalar(pos));
            if (pos < 0) {
                return top;
            }
        }
    }

    /**
     * For a non-empty container at {@code pos}: enters it and returns where its first value
     * starts; otherwise -1 (the value at {@code pos} is then read whole by {@link #scanScalar}).
     */
    private int openValue(int pos) throws PythonJsonError {
        if (pos >= end || (b[pos] != '{' && b[pos] != '[')) {
            return -1;
        }
        int inside = skipWhitespace(pos + 1);
        if (b[pos] == '{') {
            if (inside < end && b[inside] == '}') {
                return -1;
            }
            push(IN_OBJECT);
            return scanMemberKey(inside);
        }
        if (inside < end && b[inside] == ']') {
            return -1;
        }
        push(IN_ARRAY);
        return inside;
    }

    /** Reads the value at {@code pos} that is not a non-empty container; returns its end. */
    private int scanScalar(int pos) throws PythonJsonError {
        if (pos >= end) {
            throw error("Expecting value", pos);
        }
        return switch (b[pos]) {
            case '"' -> scanString(pos);
            case '{', '[' -> skipWhitespace(pos + 1) + 1;
            case 'n' -> literal(pos, NULL);
            case 't' -> literal(pos, TRUE);
            case 'f' -> literal(pos, FALSE);
            case 'N' -> literal(pos, NAN);
            case 'I' -> literal(pos, INFINITY);
            case '-' -> matches(pos + 1, INFINITY) ? pos + 1 + INFINITY.length : scanNumber(pos);
            default -> scanNumber(pos);
        };
    }

    /**
     * After a value ending at {@code pos}: closes containers until one expects another value, and
     * returns where it starts; -1 when the text is complete.
     */
    private int afterValue(int pos) throws PythonJsonError {
        for (;;) {
            if (depth == 0) {
                pos = skipWhitespace(pos);
                if (pos != end) {
                    throw error("Extra data", pos);
                }
                return -1;
            }
            if (depth == 1 && stack[0] == IN_OBJECT) {
                top.member(member, memberValueStart, pos);
            }
            pos = skipWhitespace(pos);
            byte container = stack[depth - 1];
            if (pos < end && b[pos] == (container == IN_OBJECT ? '}' : ']')) {
                pos++;
                depth--;
                continue;
            }
            if (pos >= end || b[pos] != ',') {
                throw error("Expecting ',' delimiter", pos);
            }
            pos = skipWhitespace(pos + 1);
            return container == IN_OBJECT ? scanMemberKey(pos) : pos;
        }
    }

    /**
     * Reads a member's key and colon; returns where its value starts. A member of the top-level
     * object is noted, for {@link TopLevel}.
     */
    private int scanMemberKey(int pos) throws PythonJsonError {
        int valueStart = scanKey(pos);
        if (depth == 1) {
            member = classify(pos);
            memberValueStart = valueStart;
        }
        return valueStart;
    }

    /** Reads {@code "key" :} and the whitespace after it; returns where the value starts. */
    private int scanKey(int pos) throws PythonJsonError {
        if (pos >= end || b[pos] != '"') {
            throw error("Expecting property name enclosed in double quotes", pos);
        }
        pos = skipWhitespace(scanString(pos));
        if (pos >= end || b[pos] != ':') {
            throw error("Expecting ':' delimiter", pos);
        }
        return skipWhitespace(pos + 1);
    }

    /** Which envelope member the key whose opening quote is at {@code quote} names. */
    private int classify(int quote) {
        int from = quote + 1;
        if (escaped) {
            return TopLevel.memberOf(JsonValues.string(b, quote));
        }
        int to = from;
        while (b[to] != '"') {
            to++;
        }
        return TopLevel.memberOf(b, from, to);
    }

    /** Scans the string whose opening quote is at {@code quote}; returns the index after its end. */
    private int scanString(int quote) throws PythonJsonError {
        boolean sawEscape = false;
        int i = quote + 1;
        for (;;) {
            // The plain run (printable ASCII but quote and backslash), eight bytes at a time.
            while (i <= end - Long.BYTES && isPlain((long) LONGS.get(b, i))) {
                i += Long.BYTES;
            }
            byte c;
            while (i < end && (c = b[i]) >= 0x20 && c != '"' && c != '\\') {
                i++;
            }
            if (i >= end) {
                throw error("Unterminated string starting at", quote);
            }
            c = b[i];
            if (c == '"') {
                escaped = sawEscape;
                return i + 1;
            }
            if (c == '\\') {
                sawEscape = true;
                i = scanEscape(quote, i);
            } else if (c >= 0) {
                throw error("Invalid control character at", i);
            } else {
                int n = Utf8Check.sequenceLength(b, i, end);
                if (n < 0) {
                    throw new PythonJsonError("undecodable UTF-8");
                }
                i += n;
            }
        }
    }

    /** Checks the escape whose backslash is at {@code backslash}; returns the index after it. */
    private int scanEscape(int quote, int backslash) throws PythonJsonError {
        int i = backslash + 1;
        if (i >= end) {
            throw error("Unterminated string starting at", quote);
        }
        switch (b[i]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return i + 1;
            }
            case 'u' -> {
                // Python wants the four digits and at least one character after them.
                if (end - i <= 5) {
                    throw error("Invalid \\uXXXX escape", i);
                }
                for (int k = 1; k <= 4; k++) {
                    if (!isHexDigit(b[i + k])) {
                        throw error("Invalid \\uXXXX escape", i);
                    }
                }
                return i + 5;
            }
            default -> throw error("Invalid \\escape", backslash);
        }
    }

    private int scanNumber(int pos) throws PythonJsonError {
        int i = pos;
        if (b[i] == '-') {
            i++;
            if (i >= end) {
                throw error("Expecting value", pos);
            }
        }
        int digitsStart = i;
        if (b[i] >= '1' && b[i] <= '9') {
            i++;
            while (i < end && isDigit(b[i])) {
                i++;
            }
        } else if (b[i] == '0') {
            i++;
        } else {
            throw error("Expecting value", pos);
        }
        int integerDigits = i - digitsStart;
        boolean isFloat = false;
        if (i < end - 1 && b[i] == '.' && isDigit(b[i + 1])) {
            isFloat = true;
            i += 2;
            while (i < end && isDigit(b[i])) {
                i++;
            }
        }
        if (i < end - 1 && (b[i] == 'e' || b[i] == 'E')) {
            int exponentStart = i;
            i++;
            if (i < end - 1 && (b[i] == '-' || b[i] == '+')) {
                i++;
            }
            while (i < end && isDigit(b[i])) {
                i++;
            }
            if (isDigit(b[i - 1])) {
                isFloat = true;
            } else {
                i = exponentStart;
            }
        }
        if (!isFloat && integerDigits > MAX_INT_DIGITS) {
            throw new PythonJsonError("Exceeds the limit (" + MAX_INT_DIGITS
                    + " digits) for integer string conversion: value has " + integerDigits
                    + " digits; use sys.set_int_max_str_digits() to increase the limit");
        }
        return i;
    }

    private int literal(int pos, byte[] word) throws PythonJsonError {
        if (matches(pos, word)) {
            return pos + word.length;
        }
        throw error("Expecting value", pos);
    }

    private boolean matches(int pos, byte[] word) {
        return end - pos >= word.length && Arrays.equals(b, pos, pos + word.length, word, 0, word.length);
    }

    private int skipWhitespace(int i) {
        while (i < end) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    private void push(byte container) {
        if (depth == stack.length) {
            stack = Arrays.copyOf(stack, depth * 2);
        }
        stack[depth++] = container;
    }

    private PythonJsonError error(String msg, int pos) {
        return PythonJsonError.at(msg, b, start, pos);
    }

    /**
     * Whether none of the eight bytes of {@code word} ends or interrupts a plain run: no quote,
     * no backslash, nothing below 0x20 and nothing above 0x7F (SWAR: a byte that is zero after
     * the XOR, or wraps below 0x20, or has its top bit, sets a top bit in the result).
     */
    private static boolean isPlain(long word) {
        long quote = word ^ 0x2222222222222222L;
        long backslash = word ^ 0x5C5C5C5C5C5C5C5CL;
        long special = ((quote - 0x0101010101010101L) & ~quote)
                | ((backslash - 0x0101010101010101L) & ~backslash)
                | (word - 0x2020202020202020L)
                | word;
        return (special & 0x8080808080808080L) == 0;
    }

    private static boolean isHexDigit(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }
}
