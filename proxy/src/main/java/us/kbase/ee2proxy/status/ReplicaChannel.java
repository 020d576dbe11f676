package us.kbase.ee2proxy.status;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.redisson.api.RMap;
import org.redisson.api.RTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What replicas sharing one Redis tell each other, so that an operator or a scientist may use any
 * of them. An action on a call this replica does not hold is published on {@code {prefix}:actions};
 * the replica that holds it acts (and audits, once) and answers on {@code {prefix}:replies}; the
 * others stay silent, so the asker answers 404 after {@link #WAIT}. A change of a user's limits is
 * published the same way and applied by every other replica (no reply). Every replica also writes
 * its waiting calls into the hash {@code {prefix}:{waiting}} every {@link #REFRESH}, so any replica's
 * views list every replica's waiting calls; an entry older than {@link #STALE} (a replica stopped) is
 * ignored and removed. Why a hash, not a query by pub/sub: a reader cannot know how many replicas
 * would answer, so it would always wait its whole timeout; one HGETALL answers at once.
 */
public final class ReplicaChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaChannel.class);
    /** How long an asker waits for the replica holding the call; no answer: no replica holds it. */
    static final Duration WAIT = Duration.ofSeconds(2);
    static final Duration REFRESH = Duration.ofSeconds(2);
    static final Duration STALE = Duration.ofSeconds(10);

    /**
     * One message on the actions channel.
     *
     * @param kind a handler's name ({@link #serve})
     * @param from the replica that received the request (and waits for the reply)
     * @param fields what the handler needs (who, call id, why...)
     */
    public record Ask(String request, String kind, String from, Map<String, String> fields) {
        public String field(String name) {
            return fields.get(name);
        }
    }

    /** The holder's answer, as the asker relays it. */
    record Reply(String request, String replica, int status, String contentType, String body) {}

    private record Entry(long at, List<Views.Waiting> calls) {}

    private final String replica;
    private final RTopic actions;
    private final RTopic replies;
    private final RMap<String, String> waiting;
    private final RMap<String, String> limits;
    private final Clock clock;
    private final Map<String, Function<Ask, CompletionStage<FullHttpResponse>>> handlers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private volatile CompletableFuture<Void> subscribed;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "replica-waiting");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param waiting the hash of every replica's waiting calls
     * @param limits the hash of the operators' cap overrides in force, by user, so that a replica
     *     started later applies them too
     */
    public ReplicaChannel(RTopic actions, RTopic replies, RMap<String, String> waiting, RMap<String, String> limits,
            Clock clock) {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        this.replica = HexFormat.of().formatHex(random);
        this.actions = actions;
        this.replies = replies;
        this.waiting = waiting;
        this.limits = limits;
        this.clock = clock;
        subscribe();
    }

    /**
     * Listens on both channels. Redis may be down when the proxy starts: then the refresher tries
     * again every {@link #REFRESH} (once subscribed, Redisson renews it across reconnects).
     */
    private synchronized void subscribe() {
        CompletableFuture<Void> current = subscribed;
        if (current != null && !current.isCompletedExceptionally()) {
            return;
        }
        try {
            subscribed = CompletableFuture.allOf(
                    actions.addListenerAsync(String.class, (channel, text) -> onAsk(text)).toCompletableFuture(),
                    replies.addListenerAsync(String.class, (channel, text) -> onReply(text)).toCompletableFuture());
        } catch (RuntimeException e) {
            subscribed = CompletableFuture.failedFuture(e);
        }
        subscribed.whenComplete((done, error) -> {
            if (error != null) {
                actions.removeAllListenersAsync();
                replies.removeAllListenersAsync();
                LOG.warn("not subscribed to the other replicas' actions yet (Redis: {}); trying again", error.toString());
            }
        });
    }

    /** Completes once this replica hears the others' actions. */
    public CompletionStage<Void> subscribed() {
        return subscribed;
    }

    /** This replica's id, as the audit log and the views name it. */
    public String replica() {
        return replica;
    }

    /**
     * Handles the asks of {@code kind} from other replicas: the handler answers null when it is
     * not for this replica (it does not hold the call), else the answer to send back.
     */
    void serve(String kind, Function<Ask, CompletionStage<FullHttpResponse>> handler) {
        handlers.put(kind, handler);
    }

    /**
     * Asks the other replicas; the holder's answer, or 404 {@code notFound} after {@link #WAIT}
     * (then {@code noHolder} runs first: only then may the asker audit, since no replica acted).
     */
    CompletionStage<FullHttpResponse> ask(String kind, Map<String, String> fields, String notFound, Runnable noHolder) {
        Ask ask = new Ask(UUID.randomUUID().toString(), kind, replica, fields);
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(ask.request(), reply);
        actions.publishAsync(write(ask)).whenComplete((n, e) -> {
            if (e != null) {
                reply.completeExceptionally(e);
            }
        });
        return reply.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).handle((r, e) -> {
            pending.remove(ask.request());
            if (r == null) {
                noHolder.run();
                return Responses.error(HttpResponseStatus.NOT_FOUND, notFound);
            }
            return Responses.bytes(HttpResponseStatus.valueOf(r.status()), r.contentType(),
                    r.body().getBytes(StandardCharsets.UTF_8));
        });
    }

    /** Tells every other replica, expecting no answer (a change of a user's limits). */
    void tell(String kind, Map<String, String> fields) {
        actions.publishAsync(write(new Ask(UUID.randomUUID().toString(), kind, replica, fields)));
    }

    /**
     * Keeps a user's cap override in Redis ({@code fields} with {@code until}), or forgets it
     * (without): what {@link #kept} reads at a replica's start.
     */
    void keep(String user, Map<String, String> fields) {
        if (fields.get("until") == null) {
            limits.fastRemoveAsync(user);
        } else {
            limits.fastPutAsync(user, write(fields));
        }
    }

    /** The cap overrides kept in Redis (some may have ended: the reader checks {@code until}). */
    @SuppressWarnings("unchecked")
    CompletionStage<List<Map<String, String>>> kept() {
        return limits.readAllValuesAsync().thenApply(all -> {
            List<Map<String, String>> out = new ArrayList<>();
            for (String json : all) {
                Map<String, String> fields = read(json, Map.class);
                if (fields != null) {
                    out.add(fields);
                }
            }
            return out;
        });
    }

    /** Forgets a user's kept override that has ended. */
    void forget(String user) {
        limits.fastRemoveAsync(user);
    }

    private void onAsk(String text) {
        Ask ask = read(text, Ask.class);
        if (ask == null || replica.equals(ask.from())) {
            return;
        }
        Function<Ask, CompletionStage<FullHttpResponse>> handler = handlers.get(ask.kind());
        CompletionStage<FullHttpResponse> answer = handler == null ? null : handler.apply(ask);
        if (answer == null) {
            return; // not ours: the holder answers
        }
        answer.whenComplete((r, e) -> {
            FullHttpResponse response = r != null ? r : StatusPages.failed(e);
            try {
                replies.publishAsync(write(new Reply(ask.request(), replica, response.status().code(),
                        response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                        response.content().toString(StandardCharsets.UTF_8))));
            } finally {
                response.release();
            }
        });
    }

    private void onReply(String text) {
        Reply r = read(text, Reply.class);
        CompletableFuture<Reply> waiter = r == null ? null : pending.remove(r.request());
        if (waiter != null) {
            waiter.complete(r);
        }
    }

    /** Writes the live state's waiting calls for the others' views now and every {@link #REFRESH}. */
    public ReplicaChannel publishWaiting(LiveState live) {
        refresher.scheduleWithFixedDelay(() -> {
            try {
                subscribe();
                waiting.fastPutAsync(replica, write(new Entry(clock.millis(), live.waitingCalls())));
            } catch (RuntimeException e) {
                LOG.warn("cannot publish this replica's waiting calls: {}", e.toString());
            }
        }, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The other replicas' waiting calls, by replica; removes entries of replicas that stopped writing. */
    CompletionStage<Map<String, List<Views.Waiting>>> elsewhere() {
        return waiting.readAllMapAsync().toCompletableFuture().orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((all, error) -> {
                    Map<String, List<Views.Waiting>> out = new TreeMap<>();
                    if (error != null) {
                        LOG.warn("cannot read the other replicas' waiting calls: {}", error.toString());
                        return out;
                    }
                    long now = clock.millis();
                    List<String> stale = new ArrayList<>();
                    all.forEach((id, json) -> {
                        Entry entry = read(json, Entry.class);
                        if (entry == null || now - entry.at() > STALE.toMillis()) {
                            stale.add(id);
                        } else if (!id.equals(replica)) {
                            out.put(id, entry.calls());
                        }
                    });
                    if (!stale.isEmpty()) {
                        waiting.fastRemoveAsync(stale.toArray(String[]::new));
                    }
                    return out;
                });
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        actions.removeAllListenersAsync();
        replies.removeAllListenersAsync();
        waiting.fastRemoveAsync(replica);
    }

    private static String write(Object value) {
        try {
            return Responses.JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String text, Class<T> type) {
        try {
            return Responses.JSON.readValue(text, type);
        } catch (IOException e) {
            LOG.warn("ignored a malformed message from another replica: {}", e.getMessage());
            return null;
        }
    }
}
