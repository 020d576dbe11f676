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
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.redis.RedisServerExtension;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.testing.RawHttp;

/** Replicas on one Redis (a real redis-server) share one truth: the caps hold across them. */
class SharedLedgerTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final List<String> USERS = List.of("ann", "bea", "cal", "dee");
    private static final int CAP = 2;
    private static final int SUBMISSIONS_PER_USER = 12;

    @Test
    void twoReplicasUnderConcurrentSubmissionsNeverAdmitMoreParentsThanTheCap() throws Exception {
        AdmissionPolicy policy = PolicyLoader.parse("parents:\n  maxPerUser: " + CAP + "\n  whenFull: refuse\n", "cap");
        Ee2Simulator.Builder b = Ee2Simulator.builder().defaultSeconds(3600);
        USERS.forEach(u -> b.token("tok-" + u, u));
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try (Ee2Simulator sim = b.build().start();
                AdmittedProxy one = AdmittedProxy.replica(sim.url(), policy, REDIS.server().uri(), "replicas");
                AdmittedProxy two = AdmittedProxy.replica(sim.url(), policy, REDIS.server().uri(), "replicas")) {
            CountDownLatch go = new CountDownLatch(1);
            Map<String, List<Future<RawHttp.Response>>> answers = new java.util.HashMap<>();
            for (String user : USERS) {
                List<Future<RawHttp.Response>> mine = new ArrayList<>();
                for (int i = 0; i < SUBMISSIONS_PER_USER; i++) {
                    AdmittedProxy replica = i % 2 == 0 ? one : two;
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
                long atEe2 = sim.jobs().stream().map(JobSnapshot::user).filter(user::equals).count();
                assertThat(admitted).as("parallel apps admitted for " + user).isEqualTo(CAP);
                assertThat(atEe2).as("parallel apps EE2 created for " + user).isEqualTo(CAP);
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
