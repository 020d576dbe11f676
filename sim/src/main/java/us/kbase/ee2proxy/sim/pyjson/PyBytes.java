package us.kbase.ee2proxy.sim.pyjson;

import java.util.Arrays;

/**
 * Python's {@code bytes.decode(json.detect_encoding(b), 'surrogatepass')} into code points.
 *
 * <p>Hand-written rather than a {@link java.nio.charset.Charset} because the simulator must
 * answer with the exact text of Python's {@code UnicodeDecodeError} and must pass lone
 * surrogates through as Python's {@code surrogatepass} does; positions in the JSON decoder's
 * messages count code points, as Python's {@code str} indices do.
 */
final class PyBytes {
    private PyBytes() {}

    static int[] decode(byte[] b) throws PyJsonError {
        int n = b.length;
        if (startsWith(b, 0x00, 0x00, 0xFE, 0xFF) || startsWith(b, 0xFF, 0xFE, 0x00, 0x00)) {
            boolean be = startsWith(b, 0x00, 0x00, 0xFE, 0xFF);
            // Python's 'utf-32' codec names the byte order it found in its errors.
            return utf32(b, 4, be, be ? "utf-32-be" : "utf-32-le");
        }
        if (startsWith(b, 0xFE, 0xFF) || startsWith(b, 0xFF, 0xFE)) {
            boolean be = startsWith(b, 0xFE, 0xFF);
            return utf16(b, 2, be, be ? "utf-16-be" : "utf-16-le");
        }
        if (startsWith(b, 0xEF, 0xBB, 0xBF)) {
            // 'utf-8-sig' strips the mark and decodes the rest: positions count from after it.
            return utf8(Arrays.copyOfRange(b, 3, n));
        }
        if (n >= 4) {
            if (b[0] == 0) {
                return b[1] != 0 ? utf16(b, 0, true, "utf-16-be") : utf32(b, 0, true, "utf-32-be");
            }
            if (b[1] == 0) {
                return b[2] != 0 || b[3] != 0
                        ? utf16(b, 0, false, "utf-16-le")
                        : utf32(b, 0, false, "utf-32-le");
            }
        } else if (n == 2) {
            if (b[0] == 0) {
                return utf16(b, 0, true, "utf-16-be");
            }
            if (b[1] == 0) {
                return utf16(b, 0, false, "utf-16-le");
            }
        }
        return utf8(b);
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int[] utf8(byte[] b) throws PyJsonError {
        int[] out = new int[b.length];
        int o = 0;
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                out[o++] = c;
                i++;
                continue;
            }
            int need;
            int cp;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
                cp = c & 0x1F;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                cp = c & 0x0F;
                if (c == 0xE0) {
                    lo = 0xA0;
                }
                // surrogatepass: ED A0..BF (lone surrogates) are let through, as Python does.
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                cp = c & 0x07;
                if (c == 0xF0) {
                    lo = 0x90;
                } else if (c == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                throw decodeError("utf-8", b, i, i + 1, "invalid start byte");
            }
            int j = i + 1;
            for (int k = 0; k < need; k++, j++) {
                if (j >= b.length) {
                    throw decodeError("utf-8", b, i, j, "unexpected end of data");
                }
                int cc = b[j] & 0xFF;
                int min = k == 0 ? lo : 0x80;
                int max = k == 0 ? hi : 0xBF;
                if (cc < min || cc > max) {
                    throw decodeError("utf-8", b, i, j, "invalid continuation byte");
                }
                cp = (cp << 6) | (cc & 0x3F);
            }
            out[o++] = cp;
            i = j;
        }
        return Arrays.copyOf(out, o);
    }

    private static int[] utf16(byte[] b, int start, boolean bigEndian, String codec)
            throws PyJsonError {
        int units = (b.length - start) / 2;
        int[] out = new int[units];
        int o = 0;
        for (int u = 0; u < units; u++) {
            int p = start + 2 * u;
            int c = unit16(b, p, bigEndian);
            if (Character.isHighSurrogate((char) c) && u + 1 < units) {
                int d = unit16(b, p + 2, bigEndian);
                if (Character.isLowSurrogate((char) d)) {
                    out[o++] = Character.toCodePoint((char) c, (char) d);
                    u++;
                    continue;
                }
            }
            out[o++] = c;
        }
        if ((b.length - start) % 2 != 0) {
            throw decodeError(codec, b, b.length - 1, b.length, "truncated data");
        }
        return Arrays.copyOf(out, o);
    }

    private static int unit16(byte[] b, int p, boolean bigEndian) {
        int x = b[p] & 0xFF;
        int y = b[p + 1] & 0xFF;
        return bigEndian ? (x << 8) | y : (y << 8) | x;
    }

    private static int[] utf32(byte[] b, int start, boolean bigEndian, String codec)
            throws PyJsonError {
        int units = (b.length - start) / 4;
        int[] out = new int[units];
        for (int u = 0; u < units; u++) {
            int p = start + 4 * u;
            long v = 0;
            for (int k = 0; k < 4; k++) {
                int shift = bigEndian ? (3 - k) * 8 : k * 8;
                v |= (long) (b[p + k] & 0xFF) << shift;
            }
            if (v > 0x10FFFF) {
                throw decodeError(codec, b, p, p + 4, "code point not in range(0x110000)");
            }
            out[u] = (int) v;
        }
        if ((b.length - start) % 4 != 0) {
            int p = start + units * 4;
            throw decodeError(codec, b, p, b.length, "truncated data");
        }
        return out;
    }

    /** The text of Python's UnicodeDecodeError for bytes [from, to). */
    private static PyJsonError decodeError(String codec, byte[] b, int from, int to, String reason) {
        String what = to - from == 1
                ? String.format("byte 0x%02x in position %d", b[from] & 0xFF, from)
                : String.format("bytes in position %d-%d", from, to - 1);
        return new PyJsonError("'" + codec + "' codec can't decode " + what + ": " + reason);
    }
}
