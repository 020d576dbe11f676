package us.kbase.ee2proxy.jsonrpc;

/**
 * A request body as the text Python's {@code json.loads(bytes)} parses: the encoding chosen by
 * {@code json.detect_encoding}, decoded with {@code 'surrogatepass'}.
 *
 * <p>The text is held as UTF-8 bytes, one sequence per Python code point (a lone surrogate is
 * its own 3-byte sequence, as 'surrogatepass' writes it), so one scanner serves every encoding
 * and counting lead bytes counts Python's characters. A UTF-8 body (all real traffic) is used in
 * place, not copied; its validity is checked by the scanner as it reads ({@code checked} false).
 *
 * @param text the bytes
 * @param start the first byte of the text (after a UTF-8 byte-order mark)
 * @param end one past the last byte
 * @param checked whether the text is already known to be valid
 */
record BodyText(byte[] text, int start, int end, boolean checked) {

    /** Decodes {@code body[offset, offset + length)} as {@code json.loads} would. */
    static BodyText of(byte[] body, int offset, int length) throws PythonJsonError {
        int end = offset + length;
        Encoding encoding = Encoding.detect(body, offset, length);
        return switch (encoding) {
            case UTF_8 -> new BodyText(body, offset, end, false);
            case UTF_8_SIG -> new BodyText(body, offset + 3, end, false);
            default -> transcode(body, offset, end, encoding);
        };
    }

    /** The codecs {@code json.detect_encoding} can choose, with the name Python reports. */
    enum Encoding {
        UTF_8("utf-8"), UTF_8_SIG("utf-8"),
        UTF_16("utf-16"), UTF_16_BE("utf-16-be"), UTF_16_LE("utf-16-le"),
        UTF_32("utf-32"), UTF_32_BE("utf-32-be"), UTF_32_LE("utf-32-le");

        final String codec;

        Encoding(String codec) {
            this.codec = codec;
        }

        /** {@code json.detect_encoding}: byte-order marks first, then where the zero bytes are. */
        static Encoding detect(byte[] b, int off, int len) {
            int b0 = len > 0 ? b[off] & 0xFF : -1;
            int b1 = len > 1 ? b[off + 1] & 0xFF : -1;
            int b2 = len > 2 ? b[off + 2] & 0xFF : -1;
            int b3 = len > 3 ? b[off + 3] & 0xFF : -1;
            if ((b0 == 0 && b1 == 0 && b2 == 0xFE && b3 == 0xFF) || (b0 == 0xFF && b1 == 0xFE && b2 == 0 && b3 == 0)) {
                return UTF_32;
            }
            if ((b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE)) {
                return UTF_16;
            }
            if (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF) {
                return UTF_8_SIG;
            }
            if (len >= 4) {
                if (b[off] == 0) {
                    return b[off + 1] != 0 ? UTF_16_BE : UTF_32_BE;
                }
                if (b[off + 1] == 0) {
                    return b[off + 2] != 0 || b[off + 3] != 0 ? UTF_16_LE : UTF_32_LE;
                }
            } else if (len == 2) {
                if (b[off] == 0) {
                    return UTF_16_BE;
                }
                if (b[off + 1] == 0) {
                    return UTF_16_LE;
                }
            }
            return UTF_8;
        }
    }

    private static BodyText transcode(byte[] b, int off, int end, Encoding encoding)
            throws PythonJsonError {
        boolean wide = encoding == Encoding.UTF_32 || encoding == Encoding.UTF_32_BE
                || encoding == Encoding.UTF_32_LE;
        boolean bigEndian;
        int i = off;
        // The codecs that read a byte-order mark report errors under the name it implies.
        if (encoding == Encoding.UTF_16) {
            bigEndian = (b[off] & 0xFF) == 0xFE;
            encoding = bigEndian ? Encoding.UTF_16_BE : Encoding.UTF_16_LE;
            i += 2;
        } else if (encoding == Encoding.UTF_32) {
            bigEndian = b[off] == 0;
            encoding = bigEndian ? Encoding.UTF_32_BE : Encoding.UTF_32_LE;
            i += 4;
        } else {
            bigEndian = encoding == Encoding.UTF_16_BE || encoding == Encoding.UTF_32_BE;
        }
        // At most 3 UTF-8 bytes per 2 input bytes (UTF-16) or 4 per 4 (UTF-32).
        byte[] out = new byte[(end - off) * 2];
        int o = 0;
        int unit = wide ? 4 : 2;
        while (i < end) {
            if (end - i < unit) {
                throw new PythonJsonError(Utf8Check.decodeErrorMessage(
                        encoding.codec, b[i] & 0xFF, i - off, end - i, "truncated data"));
            }
            int cp;
            if (wide) {
                cp = bigEndian
                        ? (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF)
                        : (b[i + 3] & 0xFF) << 24 | (b[i + 2] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8 | (b[i] & 0xFF);
                if (cp < 0 || cp > 0x10FFFF) {
                    throw new PythonJsonError(Utf8Check.decodeErrorMessage(
                            encoding.codec, b[i] & 0xFF, i - off, 4, "code point not in range(0x110000)"));
                }
                i += 4;
            } else {
                cp = unit16(b, i, bigEndian);
                i += 2;
                // A high surrogate followed by a low one is one character; any other surrogate
                // passes alone ('surrogatepass').
                if (Character.isHighSurrogate((char) cp) && end - i >= 2) {
                    int low = unit16(b, i, bigEndian);
                    if (Character.isLowSurrogate((char) low)) {
                        cp = Character.toCodePoint((char) cp, (char) low);
                        i += 2;
                    }
                }
            }
            o = appendUtf8(out, o, cp);
        }
        return new BodyText(out, 0, o, true);
    }

    private static int unit16(byte[] b, int i, boolean bigEndian) {
        return bigEndian ? (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF) : (b[i + 1] & 0xFF) << 8 | (b[i] & 0xFF);
    }

    /** Writes one code point (a surrogate included) as its own UTF-8 sequence. */
    static int appendUtf8(byte[] out, int o, int cp) {
        if (cp < 0x80) {
            out[o++] = (byte) cp;
        } else if (cp < 0x800) {
            out[o++] = (byte) (0xC0 | cp >> 6);
            out[o++] = (byte) (0x80 | cp & 0x3F);
        } else if (cp < 0x10000) {
            out[o++] = (byte) (0xE0 | cp >> 12);
            out[o++] = (byte) (0x80 | cp >> 6 & 0x3F);
            out[o++] = (byte) (0x80 | cp & 0x3F);
        } else {
            out[o++] = (byte) (0xF0 | cp >> 18);
            out[o++] = (byte) (0x80 | cp >> 12 & 0x3F);
            out[o++] = (byte) (0x80 | cp >> 6 & 0x3F);
            out[o++] = (byte) (0x80 | cp & 0x3F);
        }
        return o;
    }
}
