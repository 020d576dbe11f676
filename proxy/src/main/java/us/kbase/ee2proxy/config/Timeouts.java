package us.kbase.ee2proxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Every wait the proxy bounds.
 *
 * @param connect opening a connection (and TLS handshake) to EE2
 * @param response from sending a request to EE2 until its whole response has arrived
 * @param clientIdle a client keep-alive connection with no request in progress is closed after
 *     this; a request the admission gate holds is never cut by it
 */
public record Timeouts(Duration connect, Duration response, Duration clientIdle) {
    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(clientIdle, "clientIdle");
    }
}
