package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * Issue 16, item 3, the rest of it: an app entry of {@code parents.apps}
 * ({@code kb_concoct/run_concoct}) names a job by its {@code app_id}, which EE2's {@code AppInfo}
 * strips as a whole and on each side of its separator. A job of the app's module sent with
 * {@code " kb_concoct / run_concoct\u00a0"} is that app for EE2, so it takes a parallel app's slot,
 * over real sockets. One parallel app per user, refused beyond it.
 */
class AppIdSpacesTest {
    static final String POLICY = """
            slots: 3
            parents:
              apps:
                - kb_Bowtie2
                - kb_concoct/run_concoct
              maxPerUser: 1
              maxNestingDepth: 1
              whenFull: refuse
            children:
              maxQueued: 0
              maxWait: 10m
            """;
    /** A function of kb_concoct that is not itself listed: only its app_id makes it the app. */
    private static final String OTHER_FUNCTION = "kb_concoct.concoct_stats";

    /** One parallel app per user. */
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(AppIdSpacesTest::users).admission(POLICY).build();

    private static Ee2Simulator.Builder users(Ee2Simulator.Builder b) {
        b.defaultSeconds(3600);
        for (String user : new String[] {"ada", "abe", "ava"}) {
            b.token("tok-" + user, user);
        }
        return b;
    }

    private static RawHttp.Response run(String user, String method, String appId) throws Exception {
        return Ee2Calls.send(proxy.url(), "tok-" + user, Ee2Calls.runJob(method, Map.of("app_id", appId)));
    }

    private static UserCounts counts(String user) {
        return proxy.admission().ledger().counts(user).toCompletableFuture().join();
    }

    private static long jobsAtEe2(String user) {
        return proxy.simulator().jobs().stream().filter(j -> j.user().equals(user) && !j.status().isTerminal()).count();
    }

    @Test
    void theAppsIdSpacedAroundItsSlashTakesAParentsSlot() throws Exception {
        Ee2Calls.jobId(run("ada", OTHER_FUNCTION, " kb_concoct / run_concoct\u00a0"));

        assertThat(counts("ada")).isEqualTo(new UserCounts(1, 1, Map.of("kb_concoct", 1)));
        RawHttp.Response second = run("ada", PolicyGateTest.PARALLEL_APP, "kb_Bowtie2/align_reads_to_assembly_app");
        assertThat(second.status()).as(second.bodyText()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(second)).contains("limit is 1");
        assertThat(jobsAtEe2("ada")).isEqualTo(1);
    }

    @Test
    void theAppsIdSpacedAroundItsDotIsRefusedBeyondTheCap() throws Exception {
        Ee2Calls.jobId(run("abe", PolicyGateTest.PARALLEL_APP, "kb_Bowtie2/align_reads_to_assembly_app"));

        RawHttp.Response second = run("abe", OTHER_FUNCTION, "\u2003kb_concoct .run_concoct");

        assertThat(second.status()).as(second.bodyText()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(second)).contains("limit is 1");
        assertThat(jobsAtEe2("abe")).isEqualTo(1);
        assertThat(counts("abe")).isEqualTo(new UserCounts(1, 1, Map.of("kb_Bowtie2", 1)));
    }

    @Test
    void anotherAppOfTheModuleStaysPlain() throws Exception {
        // The fix reads app ids as EE2 does; it does not widen the entry to the whole module.
        Ee2Calls.jobId(run("ava", PolicyGateTest.PARALLEL_APP, "kb_Bowtie2/align_reads_to_assembly_app"));

        RawHttp.Response other = run("ava", OTHER_FUNCTION, " kb_concoct / concoct_stats ");

        assertThat(other.status()).as(other.bodyText()).isEqualTo(200);
        assertThat(counts("ava")).isEqualTo(new UserCounts(1, 2, Map.of("kb_Bowtie2", 1)));
    }
}
