package us.kbase.ee2proxy.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import us.kbase.ee2proxy.config.ConfigException;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.config.ProxyConfigLoader;
import us.kbase.ee2proxy.frontend.ProxyServer;

/** {@code serve}: runs the proxy until it is stopped (SIGTERM / Ctrl-C). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the proxy in front of EE2. --listen, --upstream and --admin override the config file; "
                + "with --upstream no file is needed.")
public final class ServeCommand implements Callable<Integer> {
    /** Exit code for a configuration the proxy cannot start with. */
    public static final int BAD_CONFIG = 2;

    @Option(names = "--config", paramLabel = "FILE", description = "proxy.yaml (see config/proxy.yaml)")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "where clients connect (default 0.0.0.0:8080)")
    String listen;

    @Option(names = "--upstream", paramLabel = "URL", description = "EE2's URL, e.g. https://kbase.us/services/ee2")
    String upstream;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "the admin port for /metrics and /health (default 127.0.0.1:8081)")
    String admin;

    @Override
    public Integer call() throws InterruptedException {
        ProxyConfig proxyConfig;
        ProxyServer server;
        try {
            proxyConfig = ProxyConfigLoader.load(config, overrides());
            server = ProxyServer.builder(proxyConfig).build().start();
        } catch (ConfigException e) {
            System.err.println("ee2-admission-proxy: " + e.getMessage());
            return BAD_CONFIG;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "ee2proxy-shutdown"));
        System.out.println("ee2-admission-proxy ready on " + server.url() + " -> " + proxyConfig.upstream().url());
        stopped.await();
        return 0;
    }

    private ProxyConfigLoader.Overrides overrides() {
        return new ProxyConfigLoader.Overrides(
                listen == null ? null : hostPort("--listen", listen),
                upstream == null ? null : url(upstream),
                admin == null ? null : hostPort("--admin", admin));
    }

    private static HostPort hostPort(String flag, String value) {
        try {
            return HostPort.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(flag + ": " + e.getMessage());
        }
    }

    private static URI url(String value) {
        try {
            return new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException("--upstream: '" + value + "' is not a URL; write e.g. https://kbase.us/services/ee2");
        }
    }
}
