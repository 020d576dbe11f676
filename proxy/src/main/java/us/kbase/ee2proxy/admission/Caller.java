package us.kbase.ee2proxy.admission;

import java.net.SocketAddress;

/**
 * The client behind a call, as the admission gate may see it. Implemented by the proxy's
 * connection handler (no allocation per call); valid until the gate's verdict completes.
 */
public interface Caller {

    /** The raw {@code Authorization} header (a KBase token, no "Bearer"), or null. Never log it. */
    String authorization();

    /** The client's socket address. */
    SocketAddress address();
}
