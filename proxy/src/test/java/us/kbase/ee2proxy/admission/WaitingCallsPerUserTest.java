package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.AdmissionConfig;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * Issue 16, minor: {@code admission.maxHeldPerUser} keeps one user's flood from taking every
 * place to wait at the proxy, and a child that finds no room is admitted, never refused (a refused
 * child fails its whole parallel app). One parallel app per user, more wait; children wait once
 * a user has 3 unfinished jobs.
 */
class WaitingCallsPerUserTest {
    private static final String POLICY = """
            slots: 3
            parents:
              maxPerUser: 1
              maxNestingDepth: 1
              whenFull: hold
              maxWait: 10m
            children:
              maxQueued: 0
              maxWait: 10m
            """;

    private final List<RawHttp> waiting = new ArrayList<>();

    /** A proxy of the test's own, parallel apps waiting, with {@code limits} on the waiting calls. */
    private static ProxyExtension start(UnaryOperator<AdmissionConfig> limits) throws Exception {
        return ProxyExtension.withSimulator(WaitingCallsPerUserTest::users).admission(POLICY).admissionConfig(limits).build()
                .start();
    }

    private static Ee2Simulator.Builder users(Ee2Simulator.Builder b) {
        b.defaultSeconds(3600);
        for (String user : new String[] {"una", "vic", "wyn", "xan"}) {
            b.token("tok-" + user, user);
        }
        return b;
    }

    @AfterEach
    void leave() throws Exception {
        for (RawHttp call : waiting) {
            call.close();
        }
    }

    private static String run(ProxyExtension proxy, String user, String method, Map<String, Object> extra) throws Exception {
        return Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-" + user, Ee2Calls.runJob(method, extra)));
    }

    private void startWaiting(ProxyExtension proxy, String user, String method, Map<String, Object> extra) throws Exception {
        waiting.add(Ee2Calls.start(proxy.url(), "tok-" + user, Ee2Calls.runJob(method, extra)));
    }

    @Test
    void oneUsersWaitingCallsCannotTakeEveryPlace() throws Exception {
        try (ProxyExtension proxy = start(a -> a.withMaxHeld(10).withMaxHeldPerUser(2))) {
            run(proxy, "una", PolicyGateTest.PARALLEL_APP, Map.of());
            startWaiting(proxy, "una", PolicyGateTest.PARALLEL_APP, Map.of());
            startWaiting(proxy, "una", PolicyGateTest.PARALLEL_APP, Map.of());
            await("two of una's parallel apps wait", () -> proxy.admission().holds().held("una") == 2);
            long forwarded = proxy.simulator().calls(PolicyGateTest.RUN_JOB);

            RawHttp.Response third = Ee2Calls.send(proxy.url(), "tok-una", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of()));

            assertThat(third.status()).isEqualTo(500);
            assertThat(third.header("Retry-After")).isEqualTo("60");
            assertThat(Ee2Calls.errorMessage(third))
                    .contains("2 of your job submissions waiting at the proxy", "admission.maxHeldPerUser", "not submitted")
                    .doesNotContain("held");
            assertThat(proxy.simulator().calls(PolicyGateTest.RUN_JOB)).isEqualTo(forwarded);
            assertThat(proxy.admissionCounter("hold.cap.user")).isEqualTo(1);

            // Another user still finds room.
            run(proxy, "vic", PolicyGateTest.PARALLEL_APP, Map.of());
            startWaiting(proxy, "vic", PolicyGateTest.PARALLEL_APP, Map.of());
            await("vic's second parallel app waits", () -> proxy.admission().holds().held("vic") == 1);
        }
    }

    @Test
    void aChildThatFindsNoRoomIsAdmittedNotRefused() throws Exception {
        try (ProxyExtension proxy = start(a -> a.withMaxHeld(4).withMaxHeldPerUser(2))) {
            String parent = run(proxy, "wyn", PolicyGateTest.PARALLEL_APP, Map.of());
            run(proxy, "wyn", PolicyGateTest.PLAIN_APP, Map.of());
            run(proxy, "wyn", PolicyGateTest.PLAIN_APP, Map.of());
            startWaiting(proxy, "wyn", PolicyGateTest.OTHER_PARALLEL_APP, Map.of());
            startWaiting(proxy, "wyn", PolicyGateTest.OTHER_PARALLEL_APP, Map.of());
            await("wyn is at the per-user bound", () -> proxy.admission().holds().held("wyn") == 2);

            // Beyond wyn's bound, a child still waits: its own user's calls never crowd it out.
            Map<String, Object> child = Map.of("parent_job_id", parent);
            startWaiting(proxy, "wyn", PolicyGateTest.CHILD_APP, child);
            await("the child waits", () -> proxy.admission().holds().held("wyn") == 3);
            run(proxy, "xan", PolicyGateTest.PARALLEL_APP, Map.of());
            startWaiting(proxy, "xan", PolicyGateTest.PARALLEL_APP, Map.of());
            await("every place is taken", () -> proxy.admission().holds().held() == 4);

            RawHttp.Response another = Ee2Calls.send(proxy.url(), "tok-wyn", Ee2Calls.runJob(PolicyGateTest.CHILD_APP, child));
            RawHttp.Response notAChild = Ee2Calls.send(proxy.url(), "tok-xan",
                    Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of()));

            assertThat(another.status()).as(another.bodyText()).isEqualTo(200);
            assertThat(proxy.admissionCounter("hold.cap.child_admitted")).isEqualTo(1);
            assertThat(notAChild.status()).isEqualTo(500);
            assertThat(Ee2Calls.errorMessage(notAChild)).contains("4 job submissions waiting at the proxy", "admission.maxHeld");
        }
    }
}
