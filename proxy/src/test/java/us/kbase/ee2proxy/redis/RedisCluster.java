package us.kbase.ee2proxy.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster on loopback: 3 masters with one replica each, made as an operator makes one
 * ({@code redis-server --cluster-enabled yes ...}, then {@code redis-cli --cluster create ...
 * --cluster-replicas 1}). Each node's cluster bus gets its own free port ({@code cluster-port}),
 * since port + 10000 may not be free, or not even a port.
 */
public final class RedisCluster implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    /** How long a node may be unreachable before the others fail it over (the default is 15 s). */
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);

    private final List<RedisServerProcess> nodes;

    private RedisCluster(List<RedisServerProcess> nodes) {
        this.nodes = nodes;
    }

    public static RedisCluster start() {
        List<RedisServerProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                nodes.add(RedisServerProcess.start(RedisServerProcess.Options.with(
                        "--cluster-enabled", "yes",
                        "--cluster-config-file", "{dir}/nodes.conf",
                        "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()),
                        "--cluster-port", Integer.toString(RedisServerProcess.freePort()),
                        // A replica whose link to its master went down long ago may still be
                        // promoted: the tests kill masters on purpose.
                        "--cluster-replica-validity-factor", "0")));
            }
            RedisCluster cluster = new RedisCluster(nodes);
            cluster.create();
            return cluster;
        } catch (IOException | RuntimeException e) {
            nodes.forEach(RedisServerProcess::close);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private void create() {
        List<String> cmd = new ArrayList<>(List.of(RedisServerProcess.locate("redis-cli"), "--cluster", "create"));
        nodes.forEach(n -> cmd.add(n.address()));
        cmd.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        await("every node sees the cluster ok, 3 masters each with a replica in sync", READY_WITHIN, this::healthy);
    }

    /** {@code redis+cluster://} naming every node, as an operator would (any one would do). */
    public URI uri() {
        return URI.create("redis+cluster://" + nodes.stream().map(RedisServerProcess::address)
                .collect(Collectors.joining(",")));
    }

    public List<RedisServerProcess> nodes() {
        return nodes;
    }

    /** The running master serving {@code key}'s hash slot. */
    public RedisServerProcess masterOf(String key) {
        int slot = Integer.parseInt(any().command("CLUSTER", "KEYSLOT", key).substring(1));
        for (String line : any().reply("CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                String[] range = f[i].split("-");
                int from = Integer.parseInt(range[0]);
                int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                if (slot >= from && slot <= to) {
                    return node(f[1]);
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** The replica of {@code master}. */
    public RedisServerProcess replicaOf(RedisServerProcess master) {
        String masterId = master.reply("CLUSTER", "MYID");
        for (String line : master.reply("CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length >= 4 && f[2].contains("slave") && f[3].equals(masterId) && !f[2].contains("fail")) {
                return node(f[1]);
            }
        }
        throw new IllegalStateException("no replica of " + master.address());
    }

    /**
     * A manual failover, as an operator does for maintenance: {@code CLUSTER FAILOVER} on the
     * master's replica, which waits until it has everything the master acknowledged, then takes
     * over. Returns the new master once every node agrees and the cluster is ok.
     */
    public RedisServerProcess failOver(RedisServerProcess master) {
        RedisServerProcess replica = replicaOf(master);
        String answer = replica.command("CLUSTER", "FAILOVER");
        if (!"+OK".equals(answer)) {
            throw new IllegalStateException("CLUSTER FAILOVER on " + replica.address() + ": " + answer);
        }
        await(replica.address() + " master after the failover", READY_WITHIN,
                () -> replica.reply("ROLE").startsWith("master") && master.reply("ROLE").startsWith("slave")
                        && running().allMatch(n -> n.reply("CLUSTER", "INFO").contains("cluster_state:ok")));
        return replica;
    }

    /** SIGKILL on a master: its replica is promoted once the others mark it failed (after the node timeout). */
    public RedisServerProcess killAndAwaitPromotion(RedisServerProcess master) {
        RedisServerProcess replica = replicaOf(master);
        master.kill();
        await(replica.address() + " promoted after its master died", READY_WITHIN,
                () -> replica.reply("ROLE").startsWith("master")
                        && running().allMatch(n -> n.reply("CLUSTER", "INFO").contains("cluster_state:ok")));
        return replica;
    }

    private boolean healthy() {
        try {
            if (!nodes.stream().allMatch(n -> n.reply("CLUSTER", "INFO").contains("cluster_state:ok"))) {
                return false;
            }
            long masters = nodes.stream().filter(n -> n.reply("ROLE").startsWith("master")).count();
            boolean synced = nodes.stream().filter(n -> n.reply("ROLE").startsWith("slave"))
                    .allMatch(n -> n.reply("INFO", "replication").contains("master_link_status:up"));
            return masters == 3 && synced;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private java.util.stream.Stream<RedisServerProcess> running() {
        return nodes.stream().filter(RedisServerProcess::running);
    }

    private RedisServerProcess any() {
        return running().findFirst().orElseThrow();
    }

    private RedisServerProcess node(String address) {
        String hostPort = address.split("@")[0];
        Optional<RedisServerProcess> node = nodes.stream().filter(n -> n.address().equals(hostPort)).findFirst();
        return node.orElseThrow(() -> new IllegalStateException("not a node of this cluster: " + address));
    }

    static void await(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            boolean met;
            try {
                met = condition.getAsBoolean();
            } catch (RuntimeException notYet) {
                met = false;
            }
            if (met) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + within + " waiting for: " + what);
            }
            RedisServerProcess.sleep(50);
        }
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerProcess::close);
    }
}
