package us.kbase.ee2proxy.frontend;

import us.kbase.ee2proxy.admission.AdmissionGate;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.metrics.ProxyMetrics;
import us.kbase.ee2proxy.upstream.UpstreamPool;

/** What every client connection's relay shares: built once per server. */
record Relay(ProxyConfig config, UpstreamPool pool, AdmissionGate gate, ProxyMetrics metrics, ClientConnections clients,
        UpstreamRequests requests, ProxyReplies replies, BodyBudget bodies) {

    Relay(ProxyConfig config, UpstreamPool pool, AdmissionGate gate, ProxyMetrics metrics, ClientConnections clients) {
        this(config, pool, gate, metrics, clients, new UpstreamRequests(config.upstream()), new ProxyReplies(config),
                new BodyBudget(config.limits()));
    }
}
