package us.kbase.ee2proxy.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.admission.Verdict;
import us.kbase.ee2proxy.jsonrpc.JsonRpcSniffer;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;

/**
 * What job tracking does with a job runner's start_job: the pass-through verdict, untouched, for
 * any job the status pages do not watch; for a watched child, "running" once EE2 accepted it, and
 * nothing on EE2's refusal.
 */
class JobTrackerProgressTest {
    private final InMemorySlotLedger ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
    private final JobTracker tracker = new JobTracker(ledger, null, new MetricRegistry());
    private final List<String> told = new ArrayList<>();

    @AfterEach
    void close() {
        ledger.close();
    }

    private void watch(Set<String> children) {
        tracker.onProgress(new JobProgress() {
            @Override
            public boolean watches(String jobId) {
                return children.contains(jobId);
            }

            @Override
            public void seen(String jobId, String status) {
                told.add(jobId + " " + status);
            }
        });
    }

    private static SniffResult.Call call(String method, String params) {
        return (SniffResult.Call) JsonRpcSniffer.sniff(("{\"method\": \"execution_engine2." + method + "\", \"params\": ["
                + params + "], \"version\": \"1.1\", \"id\": \"7\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(Verdict v, int status, String body) {
        ((Verdict.Forward) v).observer().onReply(status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    @Test
    void aStartJobOfAJobNotWatchedIsForwardedAsEveryPassThroughCall() {
        watch(Set.of("child"));
        assertThat(tracker.decide(call("start_job", "{\"job_id\": \"other\"}"), null)).isSameAs(Verdict.FORWARD_NOW);
        assertThat(tracker.decide(call("update_job_status", "{\"job_id\": \"other\", \"status\": \"running\"}"), null))
                .isSameAs(Verdict.FORWARD_NOW);
        assertThat(tracker.decide(call("check_job_canceled", "{\"job_id\": \"child\"}"), null).toCompletableFuture()
                .join()).as("a status call keeps its terminal-state observer, nothing more")
                .isInstanceOf(Verdict.Forward.class);
    }

    @Test
    void aWatchedChildRunsOnceEe2AcceptedItsStartJob() {
        watch(Set.of("child"));
        Verdict refused = tracker.decide(call("start_job", "{\"job_id\": \"child\"}"), null).toCompletableFuture().join();
        reply(refused, 500, "{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": \"no\"}, \"id\": \"7\","
                + " \"version\": \"1.1\"}");
        assertThat(told).as("EE2 refused it: the job may not run").isEmpty();

        Verdict started = tracker.decide(call("start_job", "{\"job_id\": \"child\"}"), null).toCompletableFuture().join();
        reply(started, 200, "{\"version\": \"1.1\", \"result\": [null], \"id\": \"7\"}");
        assertThat(told).containsExactly("child running");
    }
}
