package us.kbase.ee2proxy.frontend;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * The headers that describe one connection rather than the message (RFC 9110 section 7.6.1), which a
 * proxy must not forward in either direction: {@code Connection} and every header it names,
 * {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer},
 * {@code Transfer-Encoding}, {@code Upgrade}.
 */
final class HopByHopHeaders {
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString[] FIXED = {
        HttpHeaderNames.CONNECTION, KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
        HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
    };

    private HopByHopHeaders() {}

    /** Whether {@code name} must not cross the proxy, given the message's {@code Connection} values. */
    static boolean isHopByHop(CharSequence name, List<String> connectionValues) {
        for (AsciiString fixed : FIXED) {
            if (fixed.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                if (AsciiString.contentEqualsIgnoreCase(token.trim(), name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
