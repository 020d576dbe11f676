package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.ledger.ResilientLedger;
import us.kbase.ee2proxy.redis.RedisServerExtension;
import us.kbase.ee2proxy.testing.Await;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * What a job-creating call meets when Redis cannot decide it: with {@code redis.onFailure: wait}
 * (the default) it waits at the proxy and is submitted once Redis answers; with {@code refuse} it
 * is answered at once, not submitted. Never decided without Redis.
 */
class LedgerUnavailableTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    @AfterEach
    void thaw() {
        REDIS.server().thaw();
    }

    private static ProxyExtension replica(String policyYaml) throws Exception {
        ProxyExtension proxy = ProxyExtension.withSimulator(b -> b.defaultSeconds(3600).token("tok-ann", "ann"))
                .admission(policyYaml).redis(REDIS.server().uri(), "u" + PREFIXES.incrementAndGet()).build().start();
        ResilientLedger ledger = (ResilientLedger) proxy.admission().ledger();
        Await.await("Redis decides", ledger::redisDecides);
        return proxy;
    }

    private static CompletableFuture<RawHttp.Response> submit(ProxyExtension proxy) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Ee2Calls.send(proxy.url(), "tok-ann", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aCallWaitsForAHungRedisAndIsSubmittedOnceItAnswers() throws Exception {
        try (ProxyExtension proxy = replica("parents:\n  maxPerUser: 2\n")) {
            REDIS.server().freeze();
            CompletableFuture<RawHttp.Response> answer = submit(proxy);
            Thread.sleep(3500); // past the 2 s ledger timeout: the replica knows Redis failed
            assertThat(answer).isNotDone();
            assertThat(proxy.simulator().jobs()).isEmpty();
            assertThat(proxy.admission().ledger()).matches(l -> ((ResilientLedger) l).degraded());

            REDIS.server().thaw();
            RawHttp.Response r = answer.get(30, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
            assertThat(proxy.simulator().jobs()).hasSize(1);
        }
    }

    @Test
    void refuseAnswersAtOnceAndSubmitsNothing() throws Exception {
        try (ProxyExtension proxy = replica("redis:\n  onFailure: refuse\n")) {
            REDIS.server().freeze();
            RawHttp.Response r = submit(proxy).get(30, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(500);
            assertThat(Ee2Calls.errorMessage(r)).contains("redis.onFailure: refuse").contains("was not submitted");
            assertThat(proxy.simulator().jobs()).isEmpty();
        }
    }
}
