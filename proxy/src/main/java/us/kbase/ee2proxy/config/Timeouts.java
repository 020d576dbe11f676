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
 * @param request from a request's first byte until it has arrived whole (headers and body): a
 *     client that sends it slower is answered with an EE2-shaped error and its connection closed.
 *     One deadline for the whole request, not an idle timer per chunk, so a byte every few seconds
 *     cannot keep a connection (and its buffered body) forever. Time spent while the proxy is not
 *     reading (an earlier call on the same connection is still being answered) does not count.
 * @param adminIdle an admin-port connection with no traffic is closed after this
 */
public record Timeouts(Duration connect, Duration response, Duration clientIdle, Duration request, Duration adminIdle) {
    public static final Duration DEFAULT_REQUEST = Duration.ofSeconds(30);
    public static final Duration DEFAULT_ADMIN_IDLE = Duration.ofSeconds(30);

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(clientIdle, "clientIdle");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(adminIdle, "adminIdle");
    }

    /** The three EE2 and client bounds; the request and admin bounds take their defaults. */
    public Timeouts(Duration connect, Duration response, Duration clientIdle) {
        this(connect, response, clientIdle, DEFAULT_REQUEST, DEFAULT_ADMIN_IDLE);
    }

    public Timeouts withRequest(Duration value) {
        return new Timeouts(connect, response, clientIdle, value, adminIdle);
    }

    public Timeouts withAdminIdle(Duration value) {
        return new Timeouts(connect, response, clientIdle, request, value);
    }
}
