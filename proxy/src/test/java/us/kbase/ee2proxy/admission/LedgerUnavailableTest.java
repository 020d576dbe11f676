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
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.redis.RedisServerExtension;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.testing.Await;
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

    private static AdmittedProxy replica(Ee2Simulator sim, String policyYaml) throws Exception {
        AdmissionPolicy policy = PolicyLoader.parse(policyYaml, "test");
        AdmittedProxy proxy = AdmittedProxy.replica(sim.url(), policy, REDIS.server().uri(), "u" + PREFIXES.incrementAndGet());
        ResilientLedger ledger = (ResilientLedger) proxy.admission.ledger();
        Await.await("Redis decides", ledger::redisDecides);
        return proxy;
    }

    private static CompletableFuture<RawHttp.Response> submit(AdmittedProxy proxy) {
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
        try (Ee2Simulator sim = Ee2Simulator.builder().defaultSeconds(3600).token("tok-ann", "ann").build().start();
                AdmittedProxy proxy = replica(sim, "parents:\n  maxPerUser: 2\n")) {
            REDIS.server().freeze();
            CompletableFuture<RawHttp.Response> answer = submit(proxy);
            Thread.sleep(3500); // past the 2 s ledger timeout: the replica knows Redis failed
            assertThat(answer).isNotDone();
            assertThat(sim.jobs()).isEmpty();
            assertThat(proxy.admission.ledger()).matches(l -> ((ResilientLedger) l).degraded());

            REDIS.server().thaw();
            RawHttp.Response r = answer.get(30, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
            assertThat(sim.jobs()).hasSize(1);
        }
    }

    @Test
    void refuseAnswersAtOnceAndSubmitsNothing() throws Exception {
        try (Ee2Simulator sim = Ee2Simulator.builder().defaultSeconds(3600).token("tok-ann", "ann").build().start();
                AdmittedProxy proxy = replica(sim, "redis:\n  onFailure: refuse\n")) {
            REDIS.server().freeze();
            RawHttp.Response r = submit(proxy).get(30, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(500);
            assertThat(Ee2Calls.errorMessage(r)).contains("redis.onFailure: refuse").contains("was not submitted");
            assertThat(sim.jobs()).isEmpty();
        }
    }
}
