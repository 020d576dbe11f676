package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.redis.RedisServerExtension;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/** Replicas on one Redis (a real redis-server) share one truth: the caps hold across them. */
class SharedLedgerTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final List<String> USERS = List.of("ann", "bea", "cal", "dee");
    private static final int CAP = 2;
    private static final int SUBMISSIONS_PER_USER = 12;

    private static Ee2Simulator.Builder users(Ee2Simulator.Builder b) {
        b.defaultSeconds(3600);
        USERS.forEach(u -> b.token("tok-" + u, u));
        return b;
    }

    @Test
    void twoReplicasUnderConcurrentSubmissionsNeverAdmitMoreParentsThanTheCap() throws Exception {
        String policy = "parents:\n  maxPerUser: " + CAP + "\n  whenFull: refuse\n";
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try (ProxyExtension one = ProxyExtension.withSimulator(SharedLedgerTest::users).admission(policy)
                        .redis(REDIS.server().uri(), "replicas").build().start();
                ProxyExtension two = ProxyExtension.inFrontOf(one.upstreamUrl()).admission(policy)
                        .redis(REDIS.server().uri(), "replicas").build().start()) {
            CountDownLatch go = new CountDownLatch(1);
            Map<String, List<Future<RawHttp.Response>>> answers = new java.util.HashMap<>();
            for (String user : USERS) {
                List<Future<RawHttp.Response>> mine = new ArrayList<>();
                for (int i = 0; i < SUBMISSIONS_PER_USER; i++) {
                    ProxyExtension replica = i % 2 == 0 ? one : two;
                    mine.add(clients.submit(() -> {
                        go.await();
                        return Ee2Calls.send(replica.url(), "tok-" + user,
                                Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of()));
                    }));
                }
                answers.put(user, mine);
            }
            go.countDown();

            for (String user : USERS) {
                int admitted = 0;
                for (Future<RawHttp.Response> answer : answers.get(user)) {
                    RawHttp.Response r = answer.get();
                    if (r.status() == 200) {
                        admitted++;
                    } else {
                        assertThat(Ee2Calls.errorMessage(r)).as(user).contains("limit is " + CAP);
                    }
                }
                long atEe2 = one.simulator().jobs().stream().map(JobSnapshot::user).filter(user::equals).count();
                assertThat(admitted).as("parallel apps admitted for " + user).isEqualTo(CAP);
                assertThat(atEe2).as("parallel apps EE2 created for " + user).isEqualTo(CAP);
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
