package us.kbase.ee2proxy.jsonrpc;

/**
 * UTF-8 as Python decodes it with {@code errors='surrogatepass'}: strict UTF-8 (no overlong
 * forms, nothing above U+10FFFF) except that encoded surrogates (ED A0..BF 80..BF) are accepted.
 * Java's own decoder would replace what Python refuses, so this is written out.
 */
final class Utf8Check {

    private Utf8Check() {}

    /**
     * The length (2 to 4) of the valid multi-byte sequence whose lead byte {@code text[i]} is not
     * ASCII, or -1 when Python would refuse it.
     */
    static int sequenceLength(byte[] text, int i, int end) {
        int lead = text[i] & 0xFF;
        int left = end - i;
        if (lead < 0xC2) {
            return -1;
        }
        if (lead < 0xE0) {
            return left >= 2 && isContinuation(text[i + 1]) ? 2 : -1;
        }
        if (lead < 0xF0) {
            // Surrogates (ED A0..BF) are what 'surrogatepass' lets through.
            if (left < 3 || !isContinuation(text[i + 1]) || !isContinuation(text[i + 2])) {
                return -1;
            }
            return lead == 0xE0 && (text[i + 1] & 0xFF) < 0xA0 ? -1 : 3;
        }
        if (lead < 0xF5) {
            if (left < 4
                    || !isContinuation(text[i + 1])
                    || !isContinuation(text[i + 2])
                    || !isContinuation(text[i + 3])) {
                return -1;
            }
            int second = text[i + 1] & 0xFF;
            if ((lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second >= 0x90)) {
                return -1;
            }
            return 4;
        }
        return -1;
    }

    /**
     * Python's UnicodeDecodeError text for the first undecodable sequence in
     * {@code text[from, end)}, positions counted from {@code from}, or null when all of it decodes.
     */
    static String firstError(byte[] text, int from, int end) {
        int i = from;
        while (i < end) {
            if (text[i] >= 0) {
                i++;
                continue;
            }
            int n = sequenceLength(text, i, end);
            if (n > 0) {
                i += n;
                continue;
            }
            return describe(text, i, end, from);
        }
        return null;
    }

    /** CPython's decoder: which reason, and how many bytes the reported range covers. */
    private static String describe(byte[] text, int i, int end, int from) {
        int lead = text[i] & 0xFF;
        int left = end - i;
        if (lead < 0xC2 || lead >= 0xF5) {
            return message(text, i, 1, from, "invalid start byte");
        }
        int need = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        if (left >= 2) {
            int second = text[i + 1] & 0xFF;
            boolean secondBad = !isContinuation(text[i + 1])
                    || (lead == 0xE0 && second < 0xA0)
                    || (lead == 0xED && second >= 0xA0)
                    || (lead == 0xF0 && second < 0x90)
                    || (lead == 0xF4 && second >= 0x90);
            if (secondBad) {
                return message(text, i, 1, from, "invalid continuation byte");
            }
        }
        for (int k = 2; k < need; k++) {
            if (k >= left) {
                break;
            }
            if (!isContinuation(text[i + k])) {
                return message(text, i, k, from, "invalid continuation byte");
            }
        }
        return message(text, i, left, from, "unexpected end of data");
    }

    private static String message(byte[] text, int i, int span, int from, String reason) {
        return decodeErrorMessage("utf-8", text[i] & 0xFF, i - from, span, reason);
    }

    /** Python's {@code str(UnicodeDecodeError)}. */
    static String decodeErrorMessage(String codec, int firstByte, int position, int span, String reason) {
        if (span == 1) {
            return String.format(
                    "'%s' codec can't decode byte 0x%02x in position %d: %s",
                    codec, firstByte, position, reason);
        }
        return String.format(
                "'%s' codec can't decode bytes in position %d-%d: %s",
                codec, position, position + span - 1, reason);
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
