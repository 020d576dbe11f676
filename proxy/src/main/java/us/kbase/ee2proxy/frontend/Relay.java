package us.kbase.ee2proxy.frontend;

import us.kbase.ee2proxy.admission.AdmissionGate;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.metrics.ProxyMetrics;
import us.kbase.ee2proxy.status.StatusPages;
import us.kbase.ee2proxy.upstream.UpstreamPool;

/** What every client connection's relay shares: built once per server. */
record Relay(ProxyConfig config, UpstreamPool pool, AdmissionGate gate, ProxyMetrics metrics, ClientConnections clients,
        StatusPages statusPages, UpstreamRequests requests, ProxyReplies replies, BodyBudget bodies) {

    /** @param statusPages the scientists' status pages; null: none (answered as methods EE2 does not serve) */
    Relay(ProxyConfig config, UpstreamPool pool, AdmissionGate gate, ProxyMetrics metrics, ClientConnections clients,
            StatusPages statusPages) {
        this(config, pool, gate, metrics, clients, statusPages, new UpstreamRequests(config.upstream()),
                new ProxyReplies(config), new BodyBudget(config.limits()));
    }
}
