package us.kbase.ee2proxy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.MetricRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.identity.IdentityException.Reason;

class Auth2IdentityTest {
    private static final long IN_A_DAY = System.currentTimeMillis() + Duration.ofDays(1).toMillis();
    private static final long FIVE_MINUTES = Duration.ofMinutes(5).toMillis();

    private ScriptedAuth2 auth2;

    @BeforeEach
    void start() {
        auth2 = new ScriptedAuth2();
    }

    @AfterEach
    void stop() {
        auth2.close();
    }

    private Auth2Identity identity(IdentitySettings settings) {
        return new Auth2Identity(settings, new MetricRegistry());
    }

    private IdentitySettings settings() {
        return IdentitySettings.of(auth2.url()).withTimeout(Duration.ofSeconds(5));
    }

    static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void assertRefused(ThrowingCallable call, Reason reason, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(IdentityException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(message);
        });
    }

    /** Polls until the condition holds (expiry is lazy and the machine is slow: never a sleep). */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aKnownTokenIsAskedForOnceWhileCached() {
        auth2.owner("tok-a", "alice", FIVE_MINUTES, IN_A_DAY);
        auth2.owner("tok-b", "alice", FIVE_MINUTES, IN_A_DAY);
        Auth2Identity identity = identity(settings());

        assertThat(get(identity.user("tok-a"))).isEqualTo("alice");
        assertThat(get(identity.user("tok-a"))).isEqualTo("alice");
        assertThat(get(identity.user("tok-b"))).isEqualTo("alice");
        assertThat(auth2.requests("tok-a")).isEqualTo(1);
        assertThat(auth2.requests("tok-b")).isEqualTo(1);
    }

    @Test
    void aTokenIsAskedForAgainOnceCacheforHasPassed() {
        auth2.owner("tok", "alice", 200, IN_A_DAY);
        Auth2Identity identity = identity(settings());
        get(identity.user("tok"));
        await("a second auth2 request", () -> {
            get(identity.user("tok"));
            return auth2.requests("tok") == 2;
        });
    }

    @Test
    void aTokenIsNotBelievedPastItsExpiryOrTheConfiguredMaximum() {
        auth2.owner("expiring", "alice", FIVE_MINUTES, System.currentTimeMillis() + 300);
        auth2.owner("long-lived", "bob", FIVE_MINUTES, IN_A_DAY);
        Auth2Identity identity = identity(settings().withMaxCacheTime(Duration.ofMillis(300)));
        get(identity.user("expiring"));
        get(identity.user("long-lived"));
        await("expiring token asked again", () -> {
            get(identity.user("expiring"));
            return auth2.requests("expiring") >= 2;
        });
        await("long-lived token asked again", () -> {
            get(identity.user("long-lived"));
            return auth2.requests("long-lived") == 2;
        });
    }

    @Test
    void anInvalidTokenIsRefusedAndRememberedBriefly() {
        auth2.invalid("bad");
        Auth2Identity identity = identity(settings().withInvalidCacheTime(Duration.ofMillis(300)));

        assertRefused(() -> get(identity.user("bad")), Reason.INVALID_TOKEN, "10020 Invalid token");
        assertRefused(() -> get(identity.user("bad")), Reason.INVALID_TOKEN, "10020 Invalid token");
        assertThat(auth2.requests("bad")).isEqualTo(1);
        await("invalid token asked again", () -> {
            assertRefused(() -> get(identity.user("bad")), Reason.INVALID_TOKEN, "Invalid token");
            return auth2.requests("bad") == 2;
        });
        assertRefused(() -> get(identity.user(" ")), Reason.INVALID_TOKEN, "No authentication token");
        // auth2 never saw it, so it said nothing about it: not verified, not invalid.
        assertRefused(() -> get(identity.user("line\nbreak")), Reason.AUTH_UNAVAILABLE, "cannot be sent");
    }

    @Test
    void onlyAuth2sOwnInvalidTokenAnswerMeansInvalid() {
        auth2.answer("404", new ScriptedAuth2.Answer(404, "<html>Not Found</html>", 0));
        auth2.answer("400", new ScriptedAuth2.Answer(400, "{\"error\": {\"httpcode\": 400, \"appcode\": 10010, "
                + "\"message\": \"10010 No authentication token\"}}", 0));
        auth2.answer("403", new ScriptedAuth2.Answer(403, "{\"error\": {\"httpcode\": 403, \"message\": \"Forbidden\"}}", 0));
        auth2.answer("405", new ScriptedAuth2.Answer(405, "", 0));
        auth2.answer("401-other", new ScriptedAuth2.Answer(401, "{\"error\": {\"httpcode\": 401, \"appcode\": 10000, "
                + "\"message\": \"10000 Authentication failed\"}}", 0));
        auth2.answer("401-bare", new ScriptedAuth2.Answer(401, "Unauthorized", 0));
        auth2.invalid("invalid");
        Auth2Identity identity = identity(settings());

        for (String token : List.of("404", "400", "403", "405", "401-other", "401-bare")) {
            assertRefused(() -> get(identity.user(token)), Reason.AUTH_UNAVAILABLE, "answered HTTP " + token.substring(0, 3));
        }
        assertRefused(() -> get(identity.user("403")), Reason.AUTH_UNAVAILABLE, "(Forbidden)");
        assertThat(auth2.requests("403")).as("not remembered: asked again").isEqualTo(2);
        assertRefused(() -> get(identity.user("invalid")), Reason.INVALID_TOKEN, "10020 Invalid token");
    }

    @Test
    void aFailedLookupIsOneLogLineNotAStackTrace() {
        auth2.answer("down", new ScriptedAuth2.Answer(503, "<html>down</html>", 0));
        ListAppender<ILoggingEvent> ours = new ListAppender<>();
        ours.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Auth2Identity.class);
        logger.addAppender(ours);
        List<LogRecord> julRecords = new CopyOnWriteArrayList<>();
        Handler jul = new Handler() {
            @Override
            public void publish(LogRecord record) {
                julRecords.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger.getLogger("").addHandler(jul);
        try {
            Auth2Identity identity = identity(settings());
            assertRefused(() -> get(identity.user("down")), Reason.AUTH_UNAVAILABLE, "HTTP 503");
            assertRefused(() -> get(identity.user("down")), Reason.AUTH_UNAVAILABLE, "HTTP 503");

            assertThat(julRecords).as("Caffeine's own log of a failed load, with its stack trace").isEmpty();
            assertThat(ours.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement().satisfies(e -> {
                assertThat(e.getFormattedMessage()).contains("could not verify", "HTTP 503");
                assertThat(e.getThrowableProxy()).isNull();
            });
        } finally {
            logger.detachAppender(ours);
            java.util.logging.Logger.getLogger("").removeHandler(jul);
        }
    }

    @Test
    void concurrentCallersShareOneLookup() {
        auth2.owner("tok", "alice", FIVE_MINUTES, IN_A_DAY);
        auth2.hold();
        Auth2Identity identity = identity(settings());
        List<CompletableFuture<String>> callers = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            callers.add(CompletableFuture.supplyAsync(() -> identity.user("tok")).thenCompose(f -> f));
        }
        await("first request arrived", () -> auth2.requests("tok") == 1);
        auth2.open();
        callers.forEach(caller -> assertThat(get(caller)).isEqualTo("alice"));
        assertThat(auth2.requests("tok")).isEqualTo(1);
    }

    @Test
    void auth2FailuresAreDistinctAndNotRemembered() {
        auth2.answer("tok", new ScriptedAuth2.Answer(503, "<html>down</html>", 0));
        Auth2Identity identity = identity(settings());
        assertRefused(() -> get(identity.user("tok")), Reason.AUTH_UNAVAILABLE, "HTTP 503");

        auth2.owner("tok", "alice", FIVE_MINUTES, IN_A_DAY);
        assertThat(get(identity.user("tok"))).isEqualTo("alice");
        assertThat(auth2.requests("tok")).isEqualTo(2);
    }

    @Test
    void aSlowAuth2TimesOut() {
        auth2.answer("slow", new ScriptedAuth2.Answer(200, "{\"user\":\"alice\"}", 5_000));
        Auth2Identity identity = identity(settings().withTimeout(Duration.ofMillis(300)));
        assertRefused(() -> get(identity.user("slow")), Reason.AUTH_UNAVAILABLE, "did not answer");
    }

    @Test
    void anUnreachableAuth2IsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Auth2Identity identity = identity(IdentitySettings.of(URI.create("http://127.0.0.1:" + closedPort)));
        assertRefused(() -> get(identity.user("tok")), Reason.AUTH_UNAVAILABLE, "did not answer");
    }

    @Test
    void aReplyNamingNoUserIsUnavailableNotInvalid() {
        auth2.answer("tok", new ScriptedAuth2.Answer(200, "{\"type\":\"Login\"}", 0));
        assertRefused(() -> get(identity(settings()).user("tok")), Reason.AUTH_UNAVAILABLE, "named no user");
    }
}
