package us.kbase.ee2proxy.sim;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.Ee2Client;
import us.kbase.ee2proxy.sim.app.JobExecution;
import us.kbase.ee2proxy.sim.app.RunSettings;
import us.kbase.ee2proxy.sim.auth.TokenRegistry;
import us.kbase.ee2proxy.sim.control.RunConfiguration;
import us.kbase.ee2proxy.sim.control.RunControlMethods;
import us.kbase.ee2proxy.sim.control.SimChanges;
import us.kbase.ee2proxy.sim.control.SimSnapshot;
import us.kbase.ee2proxy.sim.control.TokenGrant;
import us.kbase.ee2proxy.sim.ee2.ExecutionEngine;
import us.kbase.ee2proxy.sim.rpc.Ee2Endpoint;
import us.kbase.ee2proxy.sim.rpc.MethodSpec;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.scheduler.Scheduler;
import us.kbase.ee2proxy.sim.server.SimServerInitializer;

/**
 * EE2 and auth2 in one process on one port: EE2's JSON-RPC on any path, auth2's endpoints on
 * theirs, an HTCondor-like scheduler behind them, and KBParallel-style parents and job runners
 * that call back through the run's EE2 URL.
 *
 * <pre>{@code
 * try (Ee2Simulator sim = Ee2Simulator.builder().token("t1", "alice").build().start()) {
 *     URI ee2 = sim.url();   // http://127.0.0.1:PORT/
 * }
 * }</pre>
 */
public final class Ee2Simulator implements AutoCloseable {
    private final Builder config;
    private final TokenRegistry tokens = new TokenRegistry();
    private final Scheduler scheduler;
    private final ScheduledExecutorService timer;
    private final Ee2Client client;
    private final JobExecution execution;
    private volatile RunSettings settings;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel channel;
    private volatile URI url;
    private Ee2Endpoint endpoint;

    private Ee2Simulator(Builder b) {
        this.config = b;
        b.tokens.forEach(g -> tokens.add(g.token(), g.user(), g.roles()));
        this.scheduler = new Scheduler(b.slots, b.capacity, System::currentTimeMillis);
        scheduler.keepFinished(b.keepFinished);
        this.timer = Executors.newScheduledThreadPool(2, new DefaultThreadFactory("ee2sim-timer", true));
        // Parents and runners: two event-loop threads carry every call they make, however many.
        this.client = new Ee2Client("ee2sim-client", 2);
        this.execution = new JobExecution(scheduler, () -> settings, timer, client);
        // Until the port is bound, parents would call the configured URL (or nowhere).
        this.settings = new RunSettings(b.speed, b.ee2Url, b.runners, b.apps, b.defaultSeconds);
        scheduler.onClaim(execution);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port; returns this.
     *
     * @throws java.net.BindException (unchecked through Netty) when the port is taken
     */
    public Ee2Simulator start() throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ee2sim-accept", true),
                NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(config.ioThreads, new DefaultThreadFactory("ee2sim-io", true),
                NioIoHandler.newFactory());
        List<MethodSpec> methods = new ArrayList<>(ExecutionEngine.methods(scheduler, () -> url.toString()));
        methods.addAll(RunControlMethods.specs(this::configure, this::snapshot, this::changes, execution::calls));
        endpoint = new Ee2Endpoint(tokens, methods);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new SimServerInitializer(tokens, endpoint, () -> settings.run()));
        try {
            channel = b.bind(config.host, config.port).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            close(); // the event loops and timers must not outlive a failed start
            throw e;
        }
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        url = URI.create("http://" + hostForUrl(config.host) + ":" + port + "/");
        settings = new RunSettings(config.speed, config.ee2Url != null ? config.ee2Url : url, config.runners,
                config.apps, config.defaultSeconds, settings.run());
        return this;
    }

    private static String hostForUrl(String host) {
        if (host.equals("0.0.0.0") || host.isEmpty()) {
            return "127.0.0.1";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }

    public int port() {
        return url.getPort();
    }

    /** EE2's and auth2's base URL, e.g. http://127.0.0.1:PORT/. */
    public URI url() {
        return url;
    }

    /** Accept one more token for {@code user}. */
    public void addToken(String token, String user, String... customRoles) {
        tokens.add(token, user, List.of(customRoles));
    }

    /**
     * Requests that reached the simulator for {@code method} ("execution_engine2.start_job"),
     * since it started: what a proxy in front forwarded.
     */
    public long calls(String method) {
        return endpoint.calls(method);
    }

    /** Every job, oldest first. */
    public List<JobSnapshot> jobs() {
        return scheduler.snapshot();
    }

    /** The scheduler's state with its limits, as {@code ee2sim.snapshot} returns it. */
    public SimSnapshot snapshot() {
        Scheduler.Limits l = scheduler.limits();
        return new SimSnapshot(System.currentTimeMillis(), scheduler.lastChange(), settings.speed(),
                l.slots(), l.overrides(), l.capacity(), scheduler.snapshot());
    }

    /** The jobs changed after version {@code since} (0: all), as {@code ee2sim.changes} returns them. */
    public SimChanges changes(long since) {
        Scheduler.Limits l = scheduler.limits();
        long lastChange = scheduler.lastChange();
        Scheduler.Changes c = scheduler.changesSince(since);
        return new SimChanges(System.currentTimeMillis(), lastChange, since, c.version(), settings.speed(), l.slots(),
                l.overrides(), l.capacity(), c.jobs());
    }

    /**
     * Forgets every job and starts the next run: parents and runners still in flight are orphaned
     * and do nothing more, and a call they had already sent is refused when it arrives
     * ({@link RunSettings#run}).
     */
    public synchronized void reset() {
        RunSettings s = settings;
        reset(new RunSettings(s.speed(), s.ee2Url(), s.runners(), s.apps(), s.defaultSeconds(), s.run() + 1));
    }

    /**
     * The next run's settings first, so that the old run's calls are refused from now on and
     * anything the new run starts runs under its own settings; then the jobs are forgotten and
     * the calls still waiting dropped.
     */
    private void reset(RunSettings next) {
        settings = next;
        scheduler.reset();
        execution.reset();
    }

    /** What {@code ee2sim.configure_run} does; usable in-process. */
    public synchronized void configure(RunConfiguration cfg) {
        cfg.tokens().forEach(g -> tokens.add(g.token(), g.user(), g.roles()));
        Map<String, AppProfile> apps = new HashMap<>(config.apps);
        cfg.apps().forEach(a -> apps.put(a.method(), a));
        long run = settings.run() + (cfg.reset() ? 1 : 0);
        RunSettings next = new RunSettings(cfg.speed() > 0 ? cfg.speed() : config.speed,
                cfg.ee2Url() != null ? URI.create(cfg.ee2Url()) : url, cfg.runners(), apps,
                cfg.defaultSeconds() > 0 ? cfg.defaultSeconds() : config.defaultSeconds, run);
        if (cfg.reset()) {
            reset(next);
        }
        Scheduler.Limits l = scheduler.limits();
        scheduler.limits(cfg.slots() != null ? cfg.slots() : l.slots(),
                cfg.capacity() != null ? cfg.capacity() : l.capacity(), cfg.slotOverrides());
        settings = next;
    }

    public RunSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        // Bounded waits: a close must never hang a test or a shutdown hook.
        if (channel != null) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        timer.shutdownNow();
        client.close();
    }

    /** Everything about a simulator before it starts. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private int slots = 10;
        private int capacity = 100_000;
        private double speed = 1.0;
        private boolean runners;
        private double defaultSeconds = 60;
        private int ioThreads = 0;
        private int keepFinished = Integer.MAX_VALUE;
        private URI ee2Url;
        private final List<TokenGrant> tokens = new ArrayList<>();
        private final Map<String, AppProfile> apps = new LinkedHashMap<>();

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** 0 (the default) picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Per-user running limit (HTCondor's CONCURRENCY_LIMIT_DEFAULT), default 10. */
        public Builder slots(int slots) {
            this.slots = slots;
            return this;
        }

        /** Cluster-wide running limit, default 100,000 (effectively none). */
        public Builder capacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        /** Simulated seconds per real second, default 1 (real time). */
        public Builder speed(double speed) {
            this.speed = speed;
            return this;
        }

        /** One more accepted token; many tokens may name one user. */
        public Builder token(String token, String user, String... customRoles) {
            tokens.add(new TokenGrant(token, user, List.of(customRoles)));
            return this;
        }

        /** Simulated job runners call start_job, check_job_canceled and finish_job over HTTP. */
        public Builder runners(boolean on) {
            this.runners = on;
            return this;
        }

        /** Simulated run time of apps without a profile, default 60 s. */
        public Builder defaultSeconds(double seconds) {
            this.defaultSeconds = seconds;
            return this;
        }

        public Builder app(AppProfile profile) {
            apps.put(profile.method(), profile);
            return this;
        }

        /** Where parents and runners call EE2; default the simulator itself. */
        public Builder ee2Url(URI url) {
            this.ee2Url = url;
            return this;
        }

        /**
         * Keep at most this many finished jobs (older ones are forgotten), for long benchmarks;
         * default: keep all, as EE2 does.
         */
        public Builder keepFinishedJobs(int n) {
            this.keepFinished = n;
            return this;
        }

        /** Netty worker threads; 0 means Netty's default. */
        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        public Ee2Simulator build() {
            return new Ee2Simulator(this);
        }
    }
}
