package us.kbase.ee2proxy.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the shared ledger's Redis is, as an operator writes it in {@code admission.redis} or
 * {@code --redis}. One URL names every kind of deployment:
 * <pre>
 * redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]                     one server (port 6379)
 * redis+cluster://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT...]     Redis Cluster: any nodes, the rest are discovered
 * redis+sentinel://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT...]/MASTER[/DB]
 *                                                                 Sentinel: the sentinels (port 26379) and the
 *                                                                 master's name as they know it
 * </pre>
 * {@code rediss}, {@code rediss+cluster} and {@code rediss+sentinel} are the same over TLS (to every
 * node, and to the sentinels). The user and password, when given, are those of the data nodes
 * (Redis 6 ACL user, or only a password for {@code requirepass}); the sentinels are sent the same.
 *
 * @param topology one server, a Cluster, or a master found through Sentinel
 * @param tls whether every connection is TLS
 * @param nodes {@code HOST:PORT} of the server, the cluster's seed nodes or the sentinels
 * @param masterName the master's name in the sentinels' configuration (Sentinel only, else null)
 * @param username null for the default user
 * @param password null for none
 * @param database the logical database (always 0 on a Cluster, which has no others)
 */
public record RedisAddress(Topology topology, boolean tls, List<HostPort> nodes, String masterName,
        String username, String password, int database) {

    /** How the proxy finds the master it sends a user's keys to. */
    public enum Topology {
        /** One server (or a proxy/load balancer in front of one master). */
        SINGLE,
        /** Redis Cluster: the key's hash slot names the master, redirects are followed. */
        CLUSTER,
        /** The master the sentinels name; followed when they fail it over. */
        SENTINEL
    }

    /** The environment variable {@code serve} reads the Redis password from when the URL has none. */
    public static final String PASSWORD_ENV = "EE2_PROXY_REDIS_PASSWORD";

    private static final int DEFAULT_PORT = 6379;
    private static final int DEFAULT_SENTINEL_PORT = 26379;
    static final String FORMS = "redis://HOST:PORT, redis+cluster://HOST:PORT,HOST:PORT,... or "
            + "redis+sentinel://HOST:PORT,HOST:PORT,.../MASTER (rediss... for TLS)";

    public RedisAddress {
        Objects.requireNonNull(topology, "topology");
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no Redis host given");
        }
        if (topology == Topology.SINGLE && nodes.size() != 1) {
            throw new IllegalArgumentException("a redis:// URL names one server; for several use redis+cluster:// "
                    + "or redis+sentinel://");
        }
        if ((topology == Topology.SENTINEL) != (masterName != null)) {
            throw new IllegalArgumentException(topology == Topology.SENTINEL
                    ? "a redis+sentinel:// URL needs the master's name as its path, e.g. "
                            + "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster"
                    : "only a redis+sentinel:// URL names a master");
        }
        if (database < 0) {
            throw new IllegalArgumentException("database " + database + " is negative");
        }
        if (topology == Topology.CLUSTER && database != 0) {
            throw new IllegalArgumentException("a Redis Cluster has only database 0; remove /" + database);
        }
    }

    /**
     * Reads one of the URL forms above.
     *
     * @throws IllegalArgumentException saying what is wrong and what to write instead
     */
    public static RedisAddress parse(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = scheme.startsWith("rediss");
        Topology topology = switch (scheme) {
            case "redis", "rediss" -> Topology.SINGLE;
            case "redis+cluster", "rediss+cluster" -> Topology.CLUSTER;
            case "redis+sentinel", "rediss+sentinel" -> Topology.SENTINEL;
            default -> throw new IllegalArgumentException("'" + redact(url) + "' is not a Redis URL; write " + FORMS);
        };
        // Several hosts make a "registry" authority to java.net.URI (no host, no port): split it here.
        String authority = url.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("'" + redact(url) + "' names no host; write " + FORMS);
        }
        String username = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            if (colon < 0) {
                // redis://secret@host is how redis-cli and most clients read a lone user info: a password.
                password = user;
            } else {
                username = user.isEmpty() ? null : user;
                password = decode(userInfo.substring(colon + 1));
            }
            if (password != null && password.isEmpty()) {
                password = null;
            }
        }
        int defaultPort = topology == Topology.SENTINEL ? DEFAULT_SENTINEL_PORT : DEFAULT_PORT;
        List<HostPort> nodes = new ArrayList<>();
        for (String node : authority.split(",", -1)) {
            nodes.add(node(node, defaultPort, url));
        }
        if (topology == Topology.SINGLE && nodes.size() > 1) {
            throw new IllegalArgumentException("'" + redact(url) + "' names several hosts: for a Redis Cluster write "
                    + scheme + "+cluster://..., for Sentinel " + scheme + "+sentinel://.../MASTER");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + redact(url) + "': a Redis URL takes no ?query or #fragment");
        }
        List<String> path = new ArrayList<>();
        for (String part : (url.getRawPath() == null ? "" : url.getRawPath()).split("/")) {
            if (!part.isEmpty()) {
                path.add(decode(part));
            }
        }
        String master = null;
        if (topology == Topology.SENTINEL) {
            if (path.isEmpty()) {
                throw new IllegalArgumentException("'" + redact(url) + "' needs the master's name as its path, as the "
                        + "sentinels know it: e.g. " + scheme + "://10.0.0.1:26379,10.0.0.2:26379/mymaster");
            }
            master = path.remove(0);
        }
        int database = 0;
        if (path.size() > 1) {
            throw new IllegalArgumentException("'" + redact(url) + "': the path is only "
                    + (topology == Topology.SENTINEL ? "/MASTER[/DB]" : "[/DB]"));
        }
        if (path.size() == 1) {
            try {
                database = Integer.parseInt(path.get(0));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + redact(url) + "': the path must be a database number (/0, /1, ...)");
            }
        }
        try {
            return new RedisAddress(topology, tls, nodes, master, username, password, database);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + redact(url) + "': " + e.getMessage(), e);
        }
    }

    private static HostPort node(String text, int defaultPort, URI url) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("'" + redact(url) + "' has an empty host in its list");
        }
        boolean bracketed = s.startsWith("[");
        int colon = s.lastIndexOf(':');
        boolean hasPort = colon > 0 && (!bracketed || s.lastIndexOf(']') < colon);
        if (!bracketed && s.indexOf(':') != colon) {
            hasPort = false; // a bare IPv6 address: must be bracketed to carry a port
        }
        String host = hasPort ? s.substring(0, colon) : s;
        int port = defaultPort;
        if (hasPort) {
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + redact(url) + "': '" + s + "' has no numeric port");
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + redact(url) + "': port " + port + " is outside 1..65535");
        }
        return new HostPort(host, port);
    }

    /**
     * This address with {@code secret} as its password when the URL gives none (e.g. from {@link
     * #PASSWORD_ENV}, so that it appears in neither the config file nor the process list).
     */
    public RedisAddress withPasswordIfNone(String secret) {
        if (password != null || secret == null || secret.isEmpty()) {
            return this;
        }
        return new RedisAddress(topology, tls, nodes, masterName, username, secret, database);
    }

    /** The nodes as Redisson wants them: {@code redis://host:port} or {@code rediss://host:port}. */
    public List<String> nodeUrls() {
        String scheme = tls ? "rediss://" : "redis://";
        return nodes.stream().map(n -> scheme + n).toList();
    }

    /** The URL without its password, for logs and messages. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(tls ? "rediss" : "redis");
        if (topology != Topology.SINGLE) {
            s.append('+').append(topology.name().toLowerCase(Locale.ROOT));
        }
        s.append("://");
        if (username != null || password != null) {
            s.append(username == null ? "" : username).append(password == null ? "" : ":***").append('@');
        }
        s.append(String.join(",", nodes.stream().map(HostPort::toString).toList()));
        if (masterName != null) {
            s.append('/').append(masterName);
        }
        if (database != 0) {
            s.append('/').append(database);
        }
        return s.toString();
    }

    /** {@code url} with any password replaced, for messages about a URL that did not parse. */
    public static String redact(URI url) {
        String text = url.toString();
        String info = url.getRawUserInfo();
        if (info == null) {
            int at = text.indexOf('@');
            int start = text.indexOf("://");
            // a registry authority (several hosts) hides its user info from URI: cut by hand
            return at > start && start >= 0 ? text.substring(0, start + 3) + "***" + text.substring(at) : text;
        }
        int colon = info.indexOf(':');
        String shown = colon < 0 ? "***" : info.substring(0, colon + 1) + "***";
        return text.replace(info + "@", shown + "@");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
