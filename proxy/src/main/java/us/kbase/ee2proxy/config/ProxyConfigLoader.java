package us.kbase.ee2proxy.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads {@code proxy.yaml} into a {@link ProxyConfig}: missing keys take the defaults, and any
 * unknown key or bad value is ONE {@link ConfigException} naming the key, its line and column, and
 * what to write instead.
 */
public final class ProxyConfigLoader {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** What the command line says; a null field leaves the file's (or default) value. */
    public record Overrides(HostPort listen, URI upstream, HostPort admin) {
        public static final Overrides NONE = new Overrides(null, null, null);
    }

    private ProxyConfigLoader() {}

    /**
     * @param file the YAML file, or null to start from the defaults (then {@code overrides.upstream}
     *     is required)
     */
    public static ProxyConfig load(Path file, Overrides overrides) {
        FileModel model = file == null ? FileModel.EMPTY : read(file);
        String source = file == null ? "command line" : file.toString();
        ProxyConfig defaults = ProxyConfig.defaults(ProxyConfig.DEFAULT_UPSTREAM.url());
        UpstreamSection up = model.upstream() == null ? UpstreamSection.EMPTY : model.upstream();
        URI url = overrides.upstream() != null ? overrides.upstream() : up.url() == null ? null : parseUrl(source, up.url());
        if (url == null) {
            throw new ConfigException(source + ": upstream.url is missing; set it to EE2's URL, e.g. "
                    + "https://kbase.us/services/ee2, or pass --upstream URL");
        }
        checkUrl(source, url);
        UpstreamConfig d = defaults.upstream();
        UpstreamConfig upstream = new UpstreamConfig(url,
                up.trustCaFile() == null ? null : resolve(file, up.trustCaFile()),
                up.verifyHostname() == null ? d.verifyHostname() : up.verifyHostname(),
                positive(source, "upstream.maxConnectionsPerLoop",
                        up.maxConnectionsPerLoop() == null ? d.maxConnectionsPerLoop() : up.maxConnectionsPerLoop()),
                positive(source, "upstream.poolIdleTimeout", or(up.poolIdleTimeout(), d.poolIdleTimeout())),
                positive(source, "upstream.maxWaitingPerLoop",
                        up.maxWaitingPerLoop() == null ? d.maxWaitingPerLoop() : up.maxWaitingPerLoop()));
        if (upstream.trustCaFile() != null && !Files.isReadable(upstream.trustCaFile())) {
            throw new ConfigException(source + ": upstream.trustCaFile: cannot read " + upstream.trustCaFile()
                    + "; give a readable PEM file of CA certificates, or remove the key to use the JDK's");
        }
        TimeoutSection t = model.timeouts() == null ? TimeoutSection.EMPTY : model.timeouts();
        Timeouts dt = defaults.timeouts();
        Timeouts timeouts = new Timeouts(
                positive(source, "timeouts.connect", or(t.connect(), dt.connect())),
                positive(source, "timeouts.response", or(t.response(), dt.response())),
                positive(source, "timeouts.clientIdle", or(t.clientIdle(), dt.clientIdle())),
                positive(source, "timeouts.request", or(t.request(), dt.request())),
                positive(source, "timeouts.adminIdle", or(t.adminIdle(), dt.adminIdle())));
        LimitSection l = model.limits() == null ? LimitSection.EMPTY : model.limits();
        Limits dl = defaults.limits();
        Limits limits = new Limits(
                positive(source, "limits.maxInitialLineBytes", or(l.maxInitialLineBytes(), dl.maxInitialLineBytes())),
                positive(source, "limits.maxHeaderBytes", or(l.maxHeaderBytes(), dl.maxHeaderBytes())),
                positive(source, "limits.maxBodyBytes", or(l.maxBodyBytes(), dl.maxBodyBytes())),
                positive(source, "limits.maxResponseBytes", or(l.maxResponseBytes(), dl.maxResponseBytes())),
                positive(source, "limits.maxPipelinedRequests", or(l.maxPipelinedRequests(), dl.maxPipelinedRequests())),
                positive(source, "limits.maxBufferedBodyBytes", or(l.maxBufferedBodyBytes(), dl.maxBufferedBodyBytes())),
                positive(source, "limits.maxBufferedBodyBytesPerAddress",
                        or(l.maxBufferedBodyBytesPerAddress(), dl.maxBufferedBodyBytesPerAddress())),
                positive(source, "limits.maxAdminConnections", or(l.maxAdminConnections(), dl.maxAdminConnections())));
        checkBodyBudgets(source, limits);
        int ioThreads = model.ioThreads() == null ? 0 : model.ioThreads();
        if (ioThreads < 0) {
            throw new ConfigException(source + ": ioThreads: " + ioThreads + " is negative; use 0 for one per core");
        }
        return new ProxyConfig(
                overrides.listen() != null ? overrides.listen() : or(model.listen(), defaults.listen()),
                overrides.admin() != null ? overrides.admin() : or(model.admin(), defaults.admin()),
                upstream, timeouts, limits, ioThreads, admission(file, source, model.admission()), statusUrl(source, model.status()),
                stall(source, model.stall()));
    }

    private static StallConfig stall(String source, StallSection s) {
        StallConfig d = StallConfig.DEFAULTS;
        if (s == null) {
            return d;
        }
        Duration after = or(s.after(), d.after());
        if (after.isNegative()) {
            throw new ConfigException(source + ": stall.after: " + after + " is negative; write e.g. 10m");
        }
        return new StallConfig(after, positive(source, "stall.every", or(s.every(), d.every())));
    }

    private static URI statusUrl(String source, StatusSection status) {
        if (status == null || status.url() == null) {
            return null;
        }
        URI url = parseUrl(source, "status.url", status.url(), "https://kbase.us/services/ee2/status");
        checkUrl(source, "status.url", url, "https://kbase.us/services/ee2/status");
        return url;
    }

    /**
     * The budgets must each hold the largest body the proxy accepts, or such a body could never be
     * received; and one address cannot be allowed more than everyone together.
     */
    private static void checkBodyBudgets(String source, Limits limits) {
        if (limits.maxBufferedBodyBytesPerAddress() > limits.maxBufferedBodyBytes()) {
            throw new ConfigException(source + ": limits.maxBufferedBodyBytesPerAddress (" + limits.maxBufferedBodyBytesPerAddress()
                    + " bytes) is larger than limits.maxBufferedBodyBytes (" + limits.maxBufferedBodyBytes()
                    + " bytes), the budget of all clients together; make it at most that");
        }
        if (limits.maxBodyBytes() > limits.maxBufferedBodyBytesPerAddress()) {
            throw new ConfigException(source + ": limits.maxBodyBytes (" + limits.maxBodyBytes()
                    + " bytes) is larger than limits.maxBufferedBodyBytesPerAddress (" + limits.maxBufferedBodyBytesPerAddress()
                    + " bytes), so a body of the largest allowed size could never be received; raise the budget or lower"
                    + " the body limit");
        }
    }

    private static AdmissionConfig admission(Path file, String source, AdmissionSection a) {
        AdmissionConfig d = AdmissionConfig.DEFAULTS;
        if (a == null) {
            return d;
        }
        URI auth = a.auth() == null ? null : parseUrl(source, "admission.auth", a.auth(), "https://kbase.us/services/auth");
        if (auth != null) {
            checkUrl(source, "admission.auth", auth, "https://kbase.us/services/auth");
        }
        URI redis = a.redis() == null ? null : parseRedisUrl(source + ": admission.redis", a.redis());
        RedisTls redisTls = redisTls(file, source, redis, a.redisTls());
        int maxHeld = positive(source, "admission.maxHeld", or(a.maxHeld(), d.maxHeld()));
        int maxHeldPerUser = positive(source, "admission.maxHeldPerUser",
                or(a.maxHeldPerUser(), Math.min(maxHeld, AdmissionConfig.DEFAULT_MAX_HELD_PER_USER)));
        if (maxHeldPerUser > maxHeld) {
            throw new ConfigException(source + ": admission.maxHeldPerUser (" + maxHeldPerUser
                    + ") must not exceed admission.maxHeld (" + maxHeld + "); lower it, or remove it for min(maxHeld, "
                    + AdmissionConfig.DEFAULT_MAX_HELD_PER_USER + ")");
        }
        return new AdmissionConfig(
                a.policy() == null ? null : resolve(file, a.policy()), auth, redis, maxHeld, maxHeldPerUser,
                positive(source, "admission.recheckEvery", or(a.recheckEvery(), d.recheckEvery())),
                positive(source, "admission.authTimeout", or(a.authTimeout(), d.authTimeout())),
                positive(source, "admission.ledgerTimeout", or(a.ledgerTimeout(), d.ledgerTimeout())),
                positive(source, "admission.provisionalLease", or(a.provisionalLease(), d.provisionalLease())),
                redisTls, Boolean.TRUE.equals(a.cancelChildrenWithParent()));
    }

    /**
     * Reads a Redis URL in any of {@link RedisAddress}'s forms (the password never appears in the
     * message).
     *
     * @param where what to name in the message, e.g. {@code proxy.yaml: admission.redis}
     */
    public static URI parseRedisUrl(String where, String text) {
        String hint = "; write " + RedisAddress.FORMS + ", e.g. redis://127.0.0.1:6379, "
                + "redis+cluster://10.0.0.1:6379,10.0.0.2:6379 or redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster";
        URI url;
        try {
            url = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(where + ": '" + text.trim().replaceAll("(?<=://)[^/@]*@", "***@") + "' is not a URL ("
                    + e.getReason() + ")" + hint);
        }
        try {
            RedisAddress.parse(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage() + (e.getMessage().contains(" write ") ? "" : hint));
        }
        return url;
    }

    private static RedisTls redisTls(Path file, String source, URI redis, RedisTlsSection section) {
        if (section == null) {
            return RedisTls.DEFAULT;
        }
        if (redis == null || !RedisAddress.parse(redis).tls()) {
            throw new ConfigException(source + ": admission.redisTls applies only to a TLS Redis (a rediss://, "
                    + "rediss+cluster:// or rediss+sentinel:// admission.redis URL); remove it, or use such a URL");
        }
        Path ca = section.trustCaFile() == null ? null : resolve(file, section.trustCaFile());
        if (ca != null && !Files.isReadable(ca)) {
            throw new ConfigException(source + ": admission.redisTls.trustCaFile: cannot read " + ca
                    + "; give a readable PEM file of the CA certificates that signed Redis's, or remove the key to use the JDK's");
        }
        return new RedisTls(ca, section.verifyHostname() == null || section.verifyHostname());
    }

    private static FileModel read(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException(file + ": cannot read the file; check the path given to --config");
        }
        try {
            FileModel model = YAML.readValue(file.toFile(), FileModel.class);
            return model == null ? FileModel.EMPTY : model;
        } catch (JsonMappingException e) {
            throw new ConfigException(describe(file, e));
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + where(e.getLocation()) + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the file: " + e.getMessage());
        }
    }

    private static String describe(Path file, JsonMappingException e) {
        String key = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        // The parser still sits on the offending token: its start is what a person looks for.
        JsonLocation at = e.getProcessor() instanceof JsonParser p ? p.currentTokenLocation() : e.getLocation();
        String prefix = file + where(at) + ": ";
        if (e instanceof UnrecognizedPropertyException u) {
            prefix = file + keyLine(file, u.getPropertyName()).orElse(where(at)) + ": ";
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return prefix + "unknown key '" + key + "'; the keys allowed here are: " + known;
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return prefix + key + ": wrong type; expected " + typeName(m.getTargetType());
        }
        return prefix + key + ": " + e.getOriginalMessage();
    }

    /**
     * Jackson reports an unknown key of a record after it has skipped the key's value, so the
     * line it gives can be the next key's; the key's own line is the first one that names it.
     */
    private static Optional<String> keyLine(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            Pattern named = Pattern.compile("^(\\s*)" + Pattern.quote(key) + "\\s*:");
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = named.matcher(lines.get(i));
                if (m.find()) {
                    return Optional.of(" line " + (i + 1) + ", column " + (m.group(1).length() + 1));
                }
            }
        } catch (IOException ignored) {
            // fall back to Jackson's location
        }
        return Optional.empty();
    }

    private static String typeName(Class<?> type) {
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == String.class || type == Duration.class || type == HostPort.class) {
            return "a single value (text)";
        }
        return "a section of keys";
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 1
                ? "" : " line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static URI parseUrl(String source, String text) {
        return parseUrl(source, "upstream.url", text, "https://kbase.us/services/ee2");
    }

    private static URI parseUrl(String source, String key, String text, String example) {
        try {
            return new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(source + ": " + key + ": '" + text + "' is not a URL (" + e.getReason()
                    + "); write e.g. " + example);
        }
    }

    private static void checkUrl(String source, URI url) {
        checkUrl(source, "upstream.url", url, "https://kbase.us/services/ee2");
    }

    private static void checkUrl(String source, String key, URI url, String example) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || url.getHost() == null) {
            throw new ConfigException(source + ": " + key + ": '" + url + "' must be an http:// or https:// URL with a host, "
                    + "e.g. " + example);
        }
    }

    private static Path resolve(Path file, String path) {
        Path p = Path.of(path);
        return p.isAbsolute() || file == null || file.getParent() == null ? p : file.getParent().resolve(p).normalize();
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static int positive(String source, String key, int value) {
        if (value <= 0) {
            throw new ConfigException(source + ": " + key + ": " + value + " must be greater than 0");
        }
        return value;
    }

    private static Duration positive(String source, String key, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new ConfigException(source + ": " + key + ": must be longer than 0 (e.g. 5s)");
        }
        return value;
    }

    // The file's shape. Every field is optional; null means "the default".

    record FileModel(
            @JsonDeserialize(using = ConfigValues.HostPortValue.class) HostPort listen,
            @JsonDeserialize(using = ConfigValues.HostPortValue.class) HostPort admin,
            UpstreamSection upstream, TimeoutSection timeouts, LimitSection limits, Integer ioThreads,
            AdmissionSection admission, StatusSection status, StallSection stall) {
        static final FileModel EMPTY = new FileModel(null, null, null, null, null, null, null, null, null);
    }

    /** {@code stall:}: the live stall detector's threshold and interval. */
    record StallSection(@JsonDeserialize(using = ConfigValues.DurationValue.class) Duration after,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration every) {}

    /** {@code status:}: the public URL of the scientists' status page. */
    record StatusSection(String url) {}

    record AdmissionSection(String policy, String auth, String redis, Integer maxHeld, Integer maxHeldPerUser,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration recheckEvery,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration authTimeout,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration ledgerTimeout,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration provisionalLease,
            RedisTlsSection redisTls, Boolean cancelChildrenWithParent) {}

    record RedisTlsSection(String trustCaFile, Boolean verifyHostname) {}

    record UpstreamSection(String url, String trustCaFile, Boolean verifyHostname, Integer maxConnectionsPerLoop,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration poolIdleTimeout, Integer maxWaitingPerLoop) {
        static final UpstreamSection EMPTY = new UpstreamSection(null, null, null, null, null, null);
    }

    record TimeoutSection(
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration connect,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration response,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration clientIdle,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration request,
            @JsonDeserialize(using = ConfigValues.DurationValue.class) Duration adminIdle) {
        static final TimeoutSection EMPTY = new TimeoutSection(null, null, null, null, null);
    }

    record LimitSection(
            @JsonDeserialize(using = ConfigValues.SizeValue.class) Integer maxInitialLineBytes,
            @JsonDeserialize(using = ConfigValues.SizeValue.class) Integer maxHeaderBytes,
            @JsonDeserialize(using = ConfigValues.SizeValue.class) Integer maxBodyBytes,
            @JsonDeserialize(using = ConfigValues.SizeValue.class) Integer maxResponseBytes,
            Integer maxPipelinedRequests,
            @JsonDeserialize(using = ConfigValues.SizeValue.class) Integer maxBufferedBodyBytes,
            @JsonDeserialize(using = ConfigValues.SizeValue.class) Integer maxBufferedBodyBytesPerAddress,
            Integer maxAdminConnections) {
        static final LimitSection EMPTY = new LimitSection(null, null, null, null, null, null, null, null);
    }
}
