package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Header lines written as bytes into a head being built (the request for EE2, the proxy's lines
 * appended to EE2's answer). Netty's decoders read header bytes as ISO-8859-1 characters, so
 * writing them back so gives the bytes that were read.
 */
final class HeaderLines {
    private static final int CRLF = ('\r' << 8) | '\n';
    private static final int COLON_SPACE = (':' << 8) | ' ';

    private HeaderLines() {}

    /** {@code name: value} and its CRLF. */
    static void line(ByteBuf head, CharSequence name, CharSequence value) {
        head.writeCharSequence(name, StandardCharsets.ISO_8859_1);
        head.writeShort(COLON_SPACE);
        head.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        head.writeShort(CRLF);
    }

    /** The blank line that ends a head. */
    static void end(ByteBuf head) {
        head.writeShort(CRLF);
    }
}
