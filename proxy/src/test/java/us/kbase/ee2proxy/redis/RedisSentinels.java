package us.kbase.ee2proxy.redis;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real Sentinel deployment on loopback: one master, two replicas and three sentinels (quorum 2)
 * watching it under the name {@link #MASTER}, as {@code redis-server sentinel.conf --sentinel}.
 */
public final class RedisSentinels implements AutoCloseable {
    public static final String MASTER = "mymaster";
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    /** How long the master may be silent before the sentinels call it down (the default is 30 s). */
    private static final Duration DOWN_AFTER = Duration.ofSeconds(1);

    private final List<RedisServerProcess> servers;
    private final List<RedisServerProcess> sentinels;

    private RedisSentinels(List<RedisServerProcess> servers, List<RedisServerProcess> sentinels) {
        this.servers = servers;
        this.sentinels = sentinels;
    }

    public static RedisSentinels start() {
        List<RedisServerProcess> servers = new ArrayList<>();
        List<RedisServerProcess> sentinels = new ArrayList<>();
        try {
            RedisServerProcess master = RedisServerProcess.start();
            servers.add(master);
            for (int i = 0; i < 2; i++) {
                servers.add(RedisServerProcess.start(RedisServerProcess.Options.with(
                        "--replicaof", "127.0.0.1", Integer.toString(master.port()))));
            }
            String config = String.join("\n",
                    "port {port}",
                    "bind 127.0.0.1",
                    "daemonize no",
                    "protected-mode no",
                    "dir {dir}",
                    "loglevel notice",
                    "logfile \"\"",
                    "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 2",
                    "sentinel down-after-milliseconds " + MASTER + " " + DOWN_AFTER.toMillis(),
                    "sentinel failover-timeout " + MASTER + " 10000",
                    "sentinel parallel-syncs " + MASTER + " 2",
                    "");
            for (int i = 0; i < 3; i++) {
                sentinels.add(RedisServerProcess.start(new RedisServerProcess.Options(List.of(), config, null)));
            }
            RedisSentinels set = new RedisSentinels(servers, sentinels);
            RedisCluster.await("every sentinel sees 2 replicas and 2 other sentinels, replicas in sync", READY_WITHIN,
                    () -> set.settled(master));
            return set;
        } catch (RuntimeException e) {
            servers.forEach(RedisServerProcess::close);
            sentinels.forEach(RedisServerProcess::close);
            throw e;
        }
    }

    /** {@code redis+sentinel://} naming every sentinel and the master's name. */
    public URI uri() {
        return URI.create("redis+sentinel://" + sentinels.stream().map(RedisServerProcess::address)
                .collect(Collectors.joining(",")) + "/" + MASTER);
    }

    /** The server the sentinels name as master now. */
    public RedisServerProcess master() {
        String[] addr = sentinels.get(0).reply("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER).split("\n");
        String address = addr[0] + ":" + addr[1];
        return servers.stream().filter(s -> s.address().equals(address)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the sentinels name an unknown master " + address));
    }

    public List<RedisServerProcess> servers() {
        return servers;
    }

    /**
     * {@code SENTINEL FAILOVER}: the sentinels promote a replica at once, without agreement, and
     * turn the old master into a replica. Returns the new master once every sentinel names it and it
     * says it is master.
     */
    public RedisServerProcess failOver() {
        RedisServerProcess old = master();
        String answer = sentinels.get(0).command("SENTINEL", "FAILOVER", MASTER);
        if (!"+OK".equals(answer)) {
            throw new IllegalStateException("SENTINEL FAILOVER: " + answer);
        }
        return awaitNewMaster(old);
    }

    /** SIGKILL on the master: the sentinels see it down after {@link #DOWN_AFTER}, agree, and promote a replica. */
    public RedisServerProcess killMaster() {
        RedisServerProcess old = master();
        old.kill();
        return awaitNewMaster(old);
    }

    private RedisServerProcess awaitNewMaster(RedisServerProcess old) {
        RedisCluster.await("every sentinel names a new master, which says it is master", READY_WITHIN, () -> {
            RedisServerProcess now = master();
            return now != old && now.reply("ROLE").startsWith("master")
                    && sentinels.stream().allMatch(s -> s.reply("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)
                            .endsWith("\n" + now.port()));
        });
        return master();
    }

    private boolean settled(RedisServerProcess master) {
        for (RedisServerProcess sentinel : sentinels) {
            List<String> fields = List.of(sentinel.reply("SENTINEL", "MASTER", MASTER).split("\n"));
            if (!field(fields, "num-slaves").equals("2") || !field(fields, "num-other-sentinels").equals("2")) {
                return false;
            }
        }
        return servers.stream().filter(s -> s != master)
                .allMatch(s -> s.reply("INFO", "replication").contains("master_link_status:up"));
    }

    private static String field(List<String> flat, String name) {
        int i = flat.indexOf(name);
        return i < 0 || i + 1 >= flat.size() ? "" : flat.get(i + 1);
    }

    /** Every sentinel's log, for a failure message: what they saw and decided. */
    public String sentinelLogs() {
        StringBuilder all = new StringBuilder();
        for (RedisServerProcess sentinel : sentinels) {
            all.append("--- sentinel ").append(sentinel.address()).append('\n');
            try {
                all.append(java.nio.file.Files.readString(sentinel.dir().resolve("redis.log")));
            } catch (java.io.IOException e) {
                all.append(e).append('\n');
            }
        }
        return all.toString();
    }

    @Override
    public void close() {
        sentinels.forEach(RedisServerProcess::close);
        servers.forEach(RedisServerProcess::close);
    }
}
