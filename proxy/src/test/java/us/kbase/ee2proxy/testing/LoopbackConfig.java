package us.kbase.ee2proxy.testing;

import java.net.URI;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.ProxyConfig;

/** The proxy configuration every test starts from: defaults, listen and admin on free loopback ports. */
public final class LoopbackConfig {
    private LoopbackConfig() {}

    public static ProxyConfig of(URI upstream) {
        return ProxyConfig.defaults(upstream)
                .withListen(new HostPort("127.0.0.1", 0))
                .withAdmin(new HostPort("127.0.0.1", 0));
    }
}
