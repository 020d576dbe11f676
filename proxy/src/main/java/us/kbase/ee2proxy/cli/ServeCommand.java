package us.kbase.ee2proxy.cli;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import us.kbase.ee2proxy.admission.AdmissionStack;
import us.kbase.ee2proxy.config.AdmissionConfig;
import us.kbase.ee2proxy.config.ConfigException;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.config.ProxyConfigLoader;
import us.kbase.ee2proxy.config.RedisTls;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.policyfile.LivePolicy;
import us.kbase.ee2proxy.tracking.ReconcileSettings;

/** {@code serve}: runs the proxy until it is stopped (SIGTERM / Ctrl-C). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the proxy in front of EE2. --listen, --upstream, --admin, --policy, --auth and --redis "
                + "override the config file; with --upstream no file is needed.")
public final class ServeCommand implements Callable<Integer> {
    /** Exit code for a configuration the proxy cannot start with. */
    public static final int BAD_CONFIG = 2;
    /** On SIGTERM, how long requests in flight may take to be answered before the proxy stops anyway. */
    private static final Duration DRAIN = Duration.ofSeconds(30);
    /** How long start-up waits for the ledger before saying it is not ready yet (it keeps trying). */
    private static final Duration READY_WAIT = Duration.ofSeconds(10);

    @Option(names = "--config", paramLabel = "FILE", description = "proxy.yaml (see config/proxy.yaml)")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "where clients connect (default 0.0.0.0:8080)")
    String listen;

    @Option(names = "--upstream", paramLabel = "URL", description = "EE2's URL, e.g. https://kbase.us/services/ee2")
    String upstream;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "the admin port for /metrics and /health (default 127.0.0.1:8081)")
    String admin;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "the admission policy (default: config/policy.yaml when it exists, else the built-in defaults)")
    Path policy;

    @Option(names = "--auth", paramLabel = "URL", description = "KBase auth2's base URL (default: for a kbase.us "
            + "upstream, its origin + /services/auth; otherwise the upstream's origin, as the EE2 simulator serves both)")
    String auth;

    @Option(names = "--redis", paramLabel = "URL",
            description = "the Redis ledger shared by replicas: redis://HOST:PORT, redis+cluster://HOST:PORT,HOST:PORT,... "
                    + "or redis+sentinel://HOST:PORT,HOST:PORT,.../MASTER; rediss... for TLS (default: an in-memory "
                    + "ledger for this one process)")
    String redis;

    @Option(names = "--reconcile-every", paramLabel = "SECONDS", defaultValue = "60",
            description = "how often the reconciler asks EE2 about tracked jobs and adopts jobs the proxy never saw "
                    + "(default ${DEFAULT-VALUE}); it runs only with a service token holding EE2_ADMIN_RO in the "
                    + "environment variable " + ReconcileSettings.TOKEN_ENV)
    long reconcileEvery;

    @Override
    public Integer call() throws InterruptedException {
        ProxyConfig proxyConfig;
        AdmissionStack admission;
        ProxyServer server;
        Upkeep upkeep;
        MetricRegistry registry = new MetricRegistry();
        try {
            proxyConfig = ProxyConfigLoader.load(config, overrides());
            proxyConfig = proxyConfig.withAdmission(admissionOverrides(proxyConfig.admission()));
            LivePolicy policy = new LivePolicy(proxyConfig.admission().policyFileOrDefault(),
                    AdmissionStack.initialPolicy(proxyConfig.admission()), registry);
            ReconcileSettings reconcile = reconcileSettings();
            admission = AdmissionStack.builder(proxyConfig, registry).policy(policy)
                    .rebuildFromEe2(reconcile.enabled()).serviceToken(reconcile.serviceToken()).build();
            upkeep = Upkeep.start(proxyConfig, admission.ledger(), policy, reconcile, admission.jobProgress(), registry);
        } catch (ConfigException e) {
            System.err.println("ee2-admission-proxy: " + e.getMessage());
            return BAD_CONFIG;
        }
        try {
            server = ProxyServer.builder(proxyConfig).metricRegistry(registry).gate(admission.gate())
                    .adminActions(upkeep.adminActions()).readiness(admission.readiness())
                    .statusPages(admission.statusPages()).operatorPages(admission.operatorPages()).build().start();
        } catch (ConfigException e) {
            upkeep.close();
            admission.close();
            System.err.println("ee2-admission-proxy: " + e.getMessage());
            return BAD_CONFIG;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.drainAndClose(DRAIN);
            } catch (InterruptedException e) {
                server.close();
            }
            upkeep.close();
            admission.close();
            stopped.countDown();
        }, "ee2proxy-shutdown"));
        try {
            // A Redis ledger connects and loads its scripts at start: say "ready" only once it has.
            admission.whenReady().toCompletableFuture().get(READY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            System.out.println("ee2-admission-proxy ready on " + server.url() + " -> " + proxyConfig.upstream().url());
            // Where to look, for the operator who just started it (the admin port may be 0: say the real one).
            System.out.println("operator console: http://" + proxyConfig.admin().host() + ":" + server.adminPort()
                    + "/console; a scientist's status: " + server.url().resolve("/status") + " (their KBase token)");
        } catch (ExecutionException | TimeoutException e) {
            System.out.println("ee2-admission-proxy listening on " + server.url() + " -> " + proxyConfig.upstream().url()
                    + ", NOT READY: " + admission.readiness().now().ledger() + " (GET /health on the admin port says when)");
        }
        stopped.await();
        return 0;
    }

    private ReconcileSettings reconcileSettings() {
        if (reconcileEvery < 1) {
            throw new ConfigException("--reconcile-every: give a number of seconds, at least 1 (default 60)");
        }
        return ReconcileSettings.fromEnvironment().withInterval(Duration.ofSeconds(reconcileEvery));
    }

    private ProxyConfigLoader.Overrides overrides() {
        return new ProxyConfigLoader.Overrides(
                listen == null ? null : hostPort("--listen", listen),
                upstream == null ? null : url("--upstream", upstream, "https://kbase.us/services/ee2"),
                admin == null ? null : hostPort("--admin", admin));
    }

    private AdmissionConfig admissionOverrides(AdmissionConfig fromFile) {
        AdmissionConfig a = fromFile;
        if (policy != null) {
            a = a.withPolicyFile(policy);
        }
        if (auth != null) {
            URI url = url("--auth", auth, "https://kbase.us/services/auth");
            if (url.getHost() == null || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
                throw new ConfigException("--auth: '" + auth + "' must be an http:// or https:// URL, e.g. https://kbase.us/services/auth");
            }
            a = a.withAuth(url);
        }
        if (redis != null) {
            a = a.withRedis(ProxyConfigLoader.parseRedisUrl("--redis", redis));
            if (!a.redisTls().equals(RedisTls.DEFAULT) && !a.redisAddress().tls()) {
                throw new ConfigException("--redis: the config file's admission.redisTls applies only to a TLS Redis "
                        + "(rediss://, rediss+cluster://, rediss+sentinel://)");
            }
        }
        return a;
    }

    private static HostPort hostPort(String flag, String value) {
        try {
            return HostPort.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(flag + ": " + e.getMessage());
        }
    }

    private static URI url(String flag, String value, String example) {
        try {
            return new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(flag + ": '" + value + "' is not a URL; write e.g. " + example);
        }
    }
}
