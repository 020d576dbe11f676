package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * Issue 16 item 8, on real sockets with the simulator as EE2: a copy of a running parallel app's
 * own module that names it (or, without parent_job_id, is sent in KBParallel's shape) is its child
 * only up to {@code children.perParent} unfinished children; the rest are what they are without a
 * parent, here parallel apps: counted against the cap (1) and waiting at the proxy. Before the
 * bound every copy was admitted as a child, past the cap. The copies are sent all at once, so the
 * count is also shown to be atomic.
 */
class ChildrenPerParentTest {
    static final String POLICY = """
            slots: 10
            parents:
              maxPerUser: 1
              maxNestingDepth: 1
              whenFull: hold
              maxWait: 10m
            # Only the parent cap and the children's bound in the way: with 50 children unfinished,
            # ownJobs.maxQueued 0 would also keep every copy waiting for a free slot.
            ownJobs:
              maxQueued: 100
            children:
              maxQueued: 100
            """;
    static final String APP = "kb_Bowtie2.align_reads_to_assembly_app";
    static final String RUN_JOB = "execution_engine2.run_job";

    private static ExecutorService readers;

    @BeforeAll
    static void start() {
        readers = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        readers.shutdownNow();
    }

    /** A proxy of the test's own under {@code policy}, the simulator as EE2. */
    private static ProxyExtension start(AdmissionPolicy policy) throws Exception {
        return ProxyExtension.withSimulator(ChildrenPerParentTest::users).admission(policy).build().start();
    }

    private static Ee2Simulator.Builder users(Ee2Simulator.Builder b) {
        b.defaultSeconds(3600);
        for (String user : new String[] {"ann", "joe"}) {
            b.token("tok-" + user, user);
        }
        return b;
    }

    @Test
    void copiesNamingOneRunningParentPastFiftyAreParallelAppsWaitingForTheCap() throws Exception {
        AdmissionPolicy policy = PolicyLoader.parse(POLICY, "cap 1, perParent default (50)");
        try (ProxyExtension proxy = start(policy)) {
            String parent = Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-ann", Ee2Calls.runJob(APP, Map.of())));
            long before = proxy.simulator().calls(RUN_JOB);

            Copies copies = send(proxy, "tok-ann", 53, Ee2Calls.runJob(APP, Map.of("parent_job_id", parent)));
            await("50 copies admitted as children, 3 waiting at the proxy",
                    () -> copies.answered() == 50 && proxy.admission().holds().held() == 3);

            assertThat(copies.jobIds()).hasSize(50).doesNotHaveDuplicates();
            assertThat(proxy.simulator().calls(RUN_JOB)).isEqualTo(before + 50);
            assertThat(proxy.admissionCounter("admitted.child")).isEqualTo(50);
            assertThat(proxy.admissionCounter("child.beyond_bound")).isEqualTo(3);
            assertThat(proxy.admissionCounter("held.parent")).isEqualTo(3);
            assertThat(proxy.admissionCounter("admitted.parent")).isEqualTo(1);
            assertThat(proxy.admission().ledger().counts("ann").toCompletableFuture().join().parents()).isEqualTo(1);

            // They count as parallel apps: the parent's end frees the cap for exactly one of them.
            RawHttp.Response cancel = Ee2Calls.send(proxy.url(), "tok-ann", Ee2Calls.call("cancel_job", Map.of("job_id", parent)));
            assertThat(cancel.status()).as(cancel.bodyText()).isEqualTo(200);
            await("one copy admitted as a parallel app", () -> copies.answered() == 51);
            assertThat(proxy.admissionCounter("admitted.parent")).isEqualTo(2);
            assertThat(proxy.admission().holds().held()).isEqualTo(2);
            assertThat(proxy.simulator().calls(RUN_JOB)).isEqualTo(before + 51);
            copies.close();
        }
    }

    @Test
    void attributedCopiesShareTheBoundOfEveryRunningApp() throws Exception {
        // Two running apps, perParent 5: KBParallel-shaped copies naming no parent get 2 x 5.
        AdmissionPolicy policy = PolicyLoader.parse(POLICY.replace("maxPerUser: 1", "maxPerUser: 2")
                + "  perParent: 5\n", "cap 2, perParent 5");
        try (ProxyExtension proxy = start(policy)) {
            Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-joe", Ee2Calls.runJob(APP, Map.of())));
            Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-joe", Ee2Calls.runJob(APP, Map.of())));
            Map<String, Object> kbParallel = new HashMap<>();
            kbParallel.put("app_id", "kb_Bowtie2");
            kbParallel.put("parent_job_id", null);
            kbParallel.put("wsid", null);
            kbParallel.put("remote_url", proxy.simulator().url().toString());

            Copies copies = send(proxy, "tok-joe", 12, Ee2Calls.runJob(APP, kbParallel));
            await("10 copies admitted as children, 2 waiting at the proxy",
                    () -> copies.answered() == 10 && proxy.admission().holds().held() == 2);

            assertThat(proxy.admissionCounter("admitted.child")).isEqualTo(10);
            assertThat(proxy.admissionCounter("child.beyond_bound")).isEqualTo(2);
            assertThat(proxy.admissionCounter("held.parent")).isEqualTo(2);
            copies.close();
        }
    }

    /** {@code n} copies of a call sent at once, each on its own connection, their answers read in the background. */
    private static Copies send(ProxyExtension proxy, String token, int n, byte[] body) throws Exception {
        List<RawHttp> connections = new ArrayList<>();
        List<CompletableFuture<RawHttp.Response>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawHttp c = Ee2Calls.start(proxy.url(), token, body);
            connections.add(c);
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return c.read();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, readers));
        }
        return new Copies(connections, answers);
    }

    private record Copies(List<RawHttp> connections, List<CompletableFuture<RawHttp.Response>> answers)
            implements AutoCloseable {
        long answered() {
            return answers.stream().filter(CompletableFuture::isDone).count();
        }

        List<String> jobIds() {
            return answers.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).map(Ee2Calls::jobId)
                    .toList();
        }

        @Override
        public void close() throws Exception {
            for (RawHttp c : connections) {
                c.close();
            }
        }
    }
}
