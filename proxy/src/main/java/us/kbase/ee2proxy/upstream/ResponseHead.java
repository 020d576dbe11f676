package us.kbase.ee2proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import io.netty.util.ByteProcessor;
import java.util.Arrays;

/**
 * Reads the head of one of EE2's responses straight from the bytes: the status line and only the
 * headers that frame the message ({@code Content-Length}, {@code Transfer-Encoding}) or describe
 * the connection ({@code Connection} and what it names, and the other hop-by-hop headers of RFC 9110
 * section 7.6.1). It never builds header objects: the head the client gets is EE2's own bytes with
 * the hop-by-hop lines spliced out. One per upstream connection, reused for each response; touched
 * only on its event loop.
 */
final class ResponseHead {
    /** What a header line is, for framing and splicing. */
    private static final int OTHER = 0;
    private static final int CONTENT_LENGTH = 1;
    private static final int TRANSFER_ENCODING = 2;
    private static final int CONNECTION = 3;
    private static final int HOP_BY_HOP = 4;

    private static final AsciiString[] NAMES = {
        AsciiString.cached("content-length"), AsciiString.cached("transfer-encoding"), AsciiString.cached("connection"),
        AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"), AsciiString.cached("te"),
        AsciiString.cached("trailer"), AsciiString.cached("upgrade"),
    };
    private static final int[] KINDS = {CONTENT_LENGTH, TRANSFER_ENCODING, CONNECTION, HOP_BY_HOP, HOP_BY_HOP, HOP_BY_HOP,
        HOP_BY_HOP, HOP_BY_HOP};
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final ByteProcessor NOT_COMMA = b -> b != ',';
    private static final int LINE = 4;

    /** Per header line ({@link #LINE} ints): start, end of name (the colon), end of line (after its LF), kind. */
    private int[] lines = new int[LINE * 16];
    private int lineCount;
    /** The {@code Connection} tokens: start and end of each. */
    private int[] tokens = new int[8];
    private int tokenCount;

    int status;
    boolean http11;
    /** -1: none. */
    long contentLength;
    boolean chunked;
    /** A Transfer-Encoding other than chunked last: the body ends at close (RFC 9112 section 6.3). */
    boolean otherCoding;
    boolean connectionClose;
    boolean connectionKeepAlive;

    /** Thrown for a head the proxy cannot read as HTTP/1.x. */
    static final class Unreadable extends io.netty.handler.codec.DecoderException {
        Unreadable(String message) {
            super(message);
        }
    }

    /**
     * The index just past the blank line that ends the head starting at {@code from}, or -1 if it
     * has not all arrived.
     */
    static int end(ByteBuf in, int from) {
        int lineStart = from;
        int to = in.writerIndex();
        while (lineStart < to) {
            int lf = in.indexOf(lineStart, to, (byte) '\n');
            if (lf < 0) {
                return -1;
            }
            int len = lf - lineStart;
            if (len == 0 || (len == 1 && in.getByte(lineStart) == '\r')) {
                return lf + 1;
            }
            lineStart = lf + 1;
        }
        return -1;
    }

    /** Reads the head in {@code [from, end)}, {@code end} as {@link #end} found it. */
    void read(ByteBuf in, int from, int end) {
        lineCount = 0;
        tokenCount = 0;
        contentLength = -1;
        chunked = false;
        otherCoding = false;
        connectionClose = false;
        connectionKeepAlive = false;
        int statusEnd = in.indexOf(from, end, (byte) '\n') + 1;
        statusLine(in, from, statusEnd);
        int lineStart = statusEnd;
        while (true) {
            int lf = in.indexOf(lineStart, end, (byte) '\n');
            int valueEnd = lf > lineStart && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            if (valueEnd == lineStart) {
                break; // the blank line
            }
            header(in, lineStart, valueEnd, lf + 1);
            lineStart = lf + 1;
        }
    }

    private void statusLine(ByteBuf in, int from, int lineEnd) {
        // "HTTP/1.1 200 OK": the version, a space, three digits, then a space or the line's end.
        if (lineEnd - from < 13 || !startsWith(in, from, "HTTP/1.") || in.getByte(from + 8) != ' ') {
            throw new Unreadable("its status line is not HTTP/1.x: " + printable(in, from, lineEnd));
        }
        byte minor = in.getByte(from + 7);
        if (minor != '0' && minor != '1') {
            throw new Unreadable("it answered in an HTTP version the proxy does not read: " + printable(in, from, lineEnd));
        }
        http11 = minor == '1';
        int code = 0;
        for (int i = from + 9; i < from + 12; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                throw new Unreadable("its status line has no status code: " + printable(in, from, lineEnd));
            }
            code = code * 10 + (b - '0');
        }
        byte after = in.getByte(from + 12);
        if (after != ' ' && after != '\r' && after != '\n') {
            throw new Unreadable("its status line has no status code: " + printable(in, from, lineEnd));
        }
        status = code;
    }

    private void header(ByteBuf in, int start, int valueEnd, int lineEnd) {
        int colon = in.indexOf(start, valueEnd, (byte) ':');
        byte first = in.getByte(start);
        if (colon <= start || first == ' ' || first == '\t' || isSpace(in.getByte(colon - 1))) {
            // No name, a folded line (obsolete, RFC 9112 section 5.2) or space before the colon (RFC 9112 section 5.1).
            throw new Unreadable("it sent a header line the proxy cannot read: " + printable(in, start, valueEnd));
        }
        int value = colon + 1;
        while (value < valueEnd && isSpace(in.getByte(value))) {
            value++;
        }
        int end = valueEnd;
        while (end > value && isSpace(in.getByte(end - 1))) {
            end--;
        }
        int kind = kind(in, start, colon);
        switch (kind) {
            case CONTENT_LENGTH -> contentLength(in, value, end);
            case TRANSFER_ENCODING -> transferEncoding(in, value, end);
            case CONNECTION -> connection(in, value, end);
            default -> { }
        }
        if (lines.length < (lineCount + 1) * LINE) {
            lines = Arrays.copyOf(lines, lines.length * 2);
        }
        int at = lineCount * LINE;
        lines[at] = start;
        lines[at + 1] = colon;
        lines[at + 2] = lineEnd;
        lines[at + 3] = kind;
        lineCount++;
    }

    private static int kind(ByteBuf in, int start, int end) {
        for (int i = 0; i < NAMES.length; i++) {
            if (equalsIgnoreCase(in, start, end, NAMES[i])) {
                return KINDS[i];
            }
        }
        return OTHER;
    }

    private void contentLength(ByteBuf in, int from, int to) {
        // Repeated lines (or "5, 5") must all agree (RFC 9110 section 8.6); anything else is unreadable.
        int i = from;
        while (i < to) {
            long n = 0;
            int digits = 0;
            while (i < to && in.getByte(i) >= '0' && in.getByte(i) <= '9') {
                n = n * 10 + (in.getByte(i++) - '0');
                if (++digits > 18) {
                    throw new Unreadable("its Content-Length is too large");
                }
            }
            while (i < to && isSpace(in.getByte(i))) {
                i++;
            }
            if (digits == 0 || (i < to && in.getByte(i) != ',') || (contentLength >= 0 && contentLength != n)) {
                throw new Unreadable("its Content-Length is not one number: " + printable(in, from, to));
            }
            contentLength = n;
            i++;
            while (i < to && isSpace(in.getByte(i))) {
                i++;
            }
        }
    }

    private void transferEncoding(ByteBuf in, int from, int to) {
        int comma = in.forEachByteDesc(from, to - from, NOT_COMMA);
        int last = comma < 0 ? from : comma + 1; // the last coding is the one that frames the body
        while (last < to && isSpace(in.getByte(last))) {
            last++;
        }
        chunked = equalsIgnoreCase(in, last, to, CHUNKED);
        otherCoding = !chunked;
    }

    private void connection(ByteBuf in, int from, int to) {
        int i = from;
        while (i < to) {
            int comma = in.indexOf(i, to, (byte) ',');
            int tokenEnd = comma < 0 ? to : comma;
            int s = i;
            int e = tokenEnd;
            while (s < e && isSpace(in.getByte(s))) {
                s++;
            }
            while (e > s && isSpace(in.getByte(e - 1))) {
                e--;
            }
            if (e > s) {
                connectionClose |= equalsIgnoreCase(in, s, e, CLOSE);
                connectionKeepAlive |= equalsIgnoreCase(in, s, e, KEEP_ALIVE);
                if (tokens.length < tokenCount * 2 + 2) {
                    tokens = Arrays.copyOf(tokens, tokens.length * 2);
                }
                tokens[tokenCount * 2] = s;
                tokens[tokenCount * 2 + 1] = e;
                tokenCount++;
            }
            i = tokenEnd + 1;
        }
    }

    /**
     * The head as the client gets it: the status line and every header line but the hop-by-hop
     * ones (and {@code Content-Length} when {@code keepLength} is false, or a repeat of it), copied
     * into a new buffer with room for the lines the relay appends.
     */
    ByteBuf splice(ByteBuf in, int from, int end, boolean keepLength, ByteBufAllocator alloc) {
        ByteBuf out = alloc.directBuffer(end - from + 128);
        int firstHeader = lineCount == 0 ? end : lines[0];
        out.writeBytes(in, from, firstHeader - from);
        boolean lengthKept = false;
        for (int l = 0; l < lineCount; l++) {
            int at = l * LINE;
            int kind = lines[at + 3];
            boolean keep = switch (kind) {
                case OTHER -> !namedByConnection(in, lines[at], lines[at + 1]);
                case CONTENT_LENGTH -> keepLength && !lengthKept;
                default -> false;
            };
            if (keep) {
                lengthKept |= kind == CONTENT_LENGTH;
                copyLine(in, lines[at], lines[at + 2], out);
            }
        }
        return out;
    }

    /** Copies a header line, ending it in CRLF even if EE2 ended it in a bare LF. */
    private static void copyLine(ByteBuf in, int start, int lineEnd, ByteBuf out) {
        boolean crlf = lineEnd - start >= 2 && in.getByte(lineEnd - 2) == '\r';
        if (crlf) {
            out.writeBytes(in, start, lineEnd - start);
        } else {
            out.writeBytes(in, start, lineEnd - 1 - start);
            out.writeShort(('\r' << 8) | '\n');
        }
    }

    private boolean namedByConnection(ByteBuf in, int start, int end) {
        for (int t = 0; t < tokenCount; t++) {
            if (equalsIgnoreCase(in, start, end, in, tokens[t * 2], tokens[t * 2 + 1])) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(ByteBuf in, int at, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (in.getByte(at + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsIgnoreCase(ByteBuf in, int start, int end, AsciiString name) {
        if (end - start != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (lower(in.getByte(start + i)) != name.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsIgnoreCase(ByteBuf a, int aStart, int aEnd, ByteBuf b, int bStart, int bEnd) {
        if (aEnd - aStart != bEnd - bStart) {
            return false;
        }
        for (int i = 0; i < aEnd - aStart; i++) {
            if (lower(a.getByte(aStart + i)) != lower(b.getByte(bStart + i))) {
                return false;
            }
        }
        return true;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    static String printable(ByteBuf in, int from, int to) {
        int len = Math.min(to - from, 120);
        StringBuilder s = new StringBuilder(len);
        for (int i = from; i < from + len; i++) {
            byte b = in.getByte(i);
            s.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
        }
        return s.toString().strip();
    }
}
