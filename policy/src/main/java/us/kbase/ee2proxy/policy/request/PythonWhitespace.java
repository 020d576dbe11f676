package us.kbase.ee2proxy.policy.request;

/**
 * Python's {@code str.strip()} with no argument: it removes every character for which
 * {@code str.isspace()} is true, which is more than Java's {@link String#strip()} (Python also
 * counts the no-break spaces U+00A0, U+2007, U+202F and NEL U+0085). EE2 strips the method name
 * this way before it runs it, so the proxy must classify the same name.
 */
final class PythonWhitespace {
    private PythonWhitespace() {}

    static String strip(String s) {
        if (s == null) {
            return null;
        }
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return start == 0 && end == s.length() ? s : s.substring(start, end);
    }

    /** Python's isspace for one UTF-16 unit (no whitespace lies outside the BMP). */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
