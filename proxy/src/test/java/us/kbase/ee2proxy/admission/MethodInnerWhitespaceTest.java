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
 * Issue 16, item 4, the rest of it: EE2's {@code AppInfo} strips the method as a whole and then each
 * side of its '.', so {@code "kb_Bowtie2 . align"}, or U+001C "kb_BatchApp" U+00A0 ".  run_batch"
 * (the differential test's seed 162016, episode 68), runs the parallel app. The proxy must count it
 * as one, when it is run and when it is retried (the retry's method comes from EE2's check_job),
 * over real sockets. One parallel app per user, refused beyond it.
 */
class MethodInnerWhitespaceTest {
    private static final String PARALLEL_APP = PolicyGateTest.PARALLEL_APP;
    /** kb_Bowtie2.align_reads_to_assembly_app as EE2 reads it, with spaces Python strips on each side of the dot. */
    private static final String SPACED = "\u001ckb_Bowtie2\u00a0.  align_reads_to_assembly_app\u2003";

    /** One parallel app per user. */
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(MethodInnerWhitespaceTest::users)
            .admission(PolicyGateTest.POLICY).build();

    private static Ee2Simulator.Builder users(Ee2Simulator.Builder b) {
        b.defaultSeconds(3600);
        for (String user : new String[] {"ida", "ike", "ina"}) {
            b.token("tok-" + user, user);
        }
        return b;
    }

    private static RawHttp.Response run(String user, String method) throws Exception {
        return Ee2Calls.send(proxy.url(), "tok-" + user, Ee2Calls.runJob(method, Map.of()));
    }

    private static UserCounts counts(String user) {
        return proxy.admission().ledger().counts(user).toCompletableFuture().join();
    }

    private static long jobsAtEe2(String user) {
        return proxy.simulator().jobs().stream().filter(j -> j.user().equals(user) && !j.status().isTerminal()).count();
    }

    @Test
    void aMethodSpacedAroundItsDotIsRefusedBeyondTheCap() throws Exception {
        Ee2Calls.jobId(run("ida", PARALLEL_APP));

        RawHttp.Response second = run("ida", "kb_Bowtie2 . align_reads_to_assembly_app");

        assertThat(second.status()).as(second.bodyText()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(second)).contains("limit is 1");
        assertThat(jobsAtEe2("ida")).as("EE2 never saw it").isEqualTo(1);
        assertThat(counts("ida")).isEqualTo(new UserCounts(1, 1, Map.of("kb_Bowtie2", 1)));
    }

    @Test
    void aMethodSpacedAroundItsDotTakesTheParentsSlot() throws Exception {
        Ee2Calls.jobId(run("ike", SPACED));

        assertThat(counts("ike")).isEqualTo(new UserCounts(1, 1, Map.of("kb_Bowtie2", 1)));
        RawHttp.Response second = run("ike", PARALLEL_APP);
        assertThat(second.status()).as(second.bodyText()).isEqualTo(500);
        assertThat(jobsAtEe2("ike")).isEqualTo(1);
    }

    @Test
    void aRetryOfSuchAJobIsAParallelAppToo() throws Exception {
        // Run and cancelled behind the proxy's back: only EE2's check_job tells what it ran.
        String spaced = Ee2Calls.jobId(Ee2Calls.send(proxy.simulator().url(), "tok-ina", Ee2Calls.runJob(SPACED, Map.of())));
        Ee2Calls.send(proxy.simulator().url(), "tok-ina", Ee2Calls.call("cancel_job", Map.of("job_id", spaced)));
        Ee2Calls.jobId(run("ina", PARALLEL_APP));

        RawHttp.Response retry = Ee2Calls.send(proxy.url(), "tok-ina", Ee2Calls.call("retry_job", Map.of("job_id", spaced)));

        assertThat(retry.status()).as(retry.bodyText()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(retry)).contains("limit is 1");
        assertThat(jobsAtEe2("ina")).isEqualTo(1);
        assertThat(counts("ina")).isEqualTo(new UserCounts(1, 1, Map.of("kb_Bowtie2", 1)));
    }
}
