package us.kbase.ee2proxy.frontend;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import us.kbase.ee2proxy.status.StatusPages;

/**
 * Where a request goes. EE2 (a KBase SDK JSON-RPC service) serves two methods: POST, which carries
 * the calls, and OPTIONS, CORS preflight. Only those are forwarded. Every other method (GET, HEAD,
 * PUT, DELETE, CONNECT, PATCH, TRACE, any other token) is answered by the proxy, EE2-shaped, and
 * never reaches EE2: a method EE2 was never meant to see can leave a pooled connection in a state
 * the two ends disagree on (a CONNECT answered 200 turns it into a tunnel), and the next client's
 * call on that connection then fails.
 *
 * <p>A page of the proxy's own (e.g. {@code GET /status}) is a new constant here: {@link RequestScreen}
 * lets every route but {@link #NOT_SERVED} through, and the relay answers it instead of forwarding.
 */
enum Route {
    /** POST: a JSON-RPC call, sniffed, decided on and forwarded. */
    CALL,
    /** OPTIONS: CORS preflight, which EE2 answers without reading a body; forwarded as it is. */
    CORS,
    /**
     * {@code GET .../status}, {@code GET .../status.json} and {@code DELETE .../status/calls/ID}: the
     * scientist's status pages ({@link StatusPages}), answered by the proxy (not found when the
     * proxy runs without admission), never forwarded.
     */
    OWN_PAGE,
    /** Anything else: answered by the proxy, never forwarded. */
    NOT_SERVED;

    static Route of(HttpRequest head) {
        HttpMethod method = head.method();
        // The decoder hands out Netty's constants for known methods, so these are identity checks.
        if (HttpMethod.POST.equals(method)) {
            return CALL;
        }
        if (HttpMethod.OPTIONS.equals(method)) {
            return CORS;
        }
        return StatusPages.serves(head) ? OWN_PAGE : NOT_SERVED;
    }
}
