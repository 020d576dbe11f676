package us.kbase.ee2proxy.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import us.kbase.ee2proxy.sim.SimulatorExtension;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.ChildPlan;
import us.kbase.ee2proxy.sim.app.ChildShape;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;
import us.kbase.ee2proxy.sim.workload.StubProxy.Action;
import us.kbase.ee2proxy.sim.workload.StubProxy.Call;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Verdict;

/**
 * The simulator's parallel apps behave as KBParallel 0.4.3 does, seen from a proxy-like stub in
 * front of the simulator: what a child's run_job carries, one submission at a time with the loop
 * blocked meanwhile, and an error reply that fails the whole app and orphans its children.
 */
class KBParallelChildrenTest {
    static final String PARENT = "kb_Bowtie2.align_reads_to_assembly_app";
    static final String CHILD = "kb_Bowtie2.align_one_reads_to_assembly";

    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b);

    private static Workload oneApp(String name, ChildPlan plan, double childSeconds, boolean runners) {
        return Workload.builder(name).speed(100).runners(runners)
                .user("dee", "dee-1", "dee-2")
                .app(AppProfile.parent(PARENT, 1, plan))
                .app(AppProfile.plain(CHILD, childSeconds))
                .submit(new Submission(0, "dee", PARENT, null, 1, 0, "sample-set-app", null, 0, "dee-2"))
                .build();
    }

    private static JobSnapshot job(String id) {
        return sim.get().jobs().stream().filter(j -> j.jobId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aChildRunJobHasExactlyTheKeysAndValuesKBParallelSends() throws Exception {
        try (StubProxy stub = new StubProxy(sim.url(), (call, i) -> StubProxy.FORWARD)) {
            WorkloadReport r = new WorkloadRunner(stub.url()).run(oneApp("real-shape", new ChildPlan(CHILD, 2, 2, 1), 5,
                    false));

            assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
            List<Call> children = stub.childRunJobs();
            assertThat(children).hasSize(2);
            for (Call c : children) {
                JsonNode p = c.params();
                assertThat(p.fieldNames()).toIterable()
                        .containsExactly("method", "params", "service_ver", "parent_job_id", "app_id", "wsid", "remote_url");
                assertThat(p.get("method").asText()).isEqualTo(CHILD);
                assertThat(p.get("params").toString()).isEqualTo("[{}]");
                assertThat(p.get("service_ver").asText()).isEqualTo("release");
                assertThat(p.get("parent_job_id").isNull()).isTrue();
                assertThat(p.get("app_id").asText()).as("the module alone").isEqualTo("kb_Bowtie2");
                assertThat(p.get("wsid").isNull()).isTrue();
                assertThat(p.get("remote_url").asText()).as("the EE2 URL the app calls").isEqualTo(stub.url().toString());
                assertThat(c.token()).as("the parent job's own token").isEqualTo("dee-2");
            }
            String parent = sim.get().jobs().stream().filter(j -> j.app().equals(PARENT)).findFirst().orElseThrow().jobId();
            List<JobSnapshot> kids = sim.get().jobs().stream().filter(j -> j.app().equals(CHILD)).toList();
            assertThat(kids).hasSize(2).allMatch(k -> k.parentJobId() == null && parent.equals(k.spawnedBy()));
            assertThat(r.classStats("child").jobs()).as("told apart by the simulator's own link").isEqualTo(2);
            assertThat(r.appsFailedByRefusal()).isEmpty();
            assertThat(r.orphans()).isEmpty();
        }
    }

    @Test
    void theOldLinkedShapeStaysAvailable() throws Exception {
        ChildPlan linked = new ChildPlan(CHILD, 2, 2, 1).withShape(ChildShape.LINKED).withWsid(42L);
        try (StubProxy stub = new StubProxy(sim.url(), (call, i) -> StubProxy.FORWARD)) {
            WorkloadReport r = new WorkloadRunner(stub.url()).run(oneApp("linked-shape", linked, 5, false));

            assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
            String parent = sim.get().jobs().stream().filter(j -> j.app().equals(PARENT)).findFirst().orElseThrow().jobId();
            assertThat(stub.childRunJobs()).hasSize(2).allSatisfy(c -> {
                assertThat(c.params().get("parent_job_id").asText()).isEqualTo(parent);
                assertThat(c.params().get("app_id").asText()).isEqualTo(CHILD.replace('.', '/'));
                assertThat(c.params().get("wsid").asLong()).isEqualTo(42);
                assertThat(c.params().has("remote_url")).isFalse();
            });
            assertThat(sim.get().jobs().stream().filter(j -> j.app().equals(CHILD)))
                    .hasSize(2).allMatch(k -> parent.equals(k.parentJobId()));
        }
    }

    @Test
    void childrenAreSubmittedOneAtATimeAndAWaitingOneBlocksTheLoop() throws Exception {
        long hold = 600;
        try (StubProxy stub = new StubProxy(sim.url(), StubProxy.byIndex(i -> i == 1 ? new StubProxy.Forward(hold)
                : StubProxy.FORWARD))) {
            WorkloadReport r = new WorkloadRunner(stub.url()).run(oneApp("held-child", new ChildPlan(CHILD, 3, 3, 1), 5,
                    false));

            assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
            List<Call> children = stub.childRunJobs();
            assertThat(children).hasSize(3);
            for (int i = 1; i < children.size(); i++) {
                assertThat(children.get(i).arrived()).as("child %d is sent after child %d's answer", i, i - 1)
                        .isGreaterThanOrEqualTo(children.get(i - 1).answeredAt());
            }
            Call held = children.get(1);
            assertThat(held.answeredAt() - held.arrived()).isGreaterThanOrEqualTo(hold);
            List<Call> checks = stub.calls("execution_engine2.check_job");
            assertThat(checks).as("the app polls its children").isNotEmpty();
            assertThat(checks).as("no polling while a run_job waits, nor before the turn's submissions end")
                    .allMatch(c -> c.arrived() >= children.get(2).answeredAt());
        }
    }

    static Stream<Arguments> errorReplies() {
        return Stream.of(
                Arguments.of("EE2's error object, runners on", new StubProxy.RefuseWithEe2Error(
                        "You have 1 parallel app running (kb_Bowtie2 x1); your limit is 1."), true),
                Arguments.of("a bare HTTP 503, no runners", new StubProxy.RefuseWithStatus(503), false),
                Arguments.of("a connection closed without an answer, runners on", new StubProxy.CloseConnection(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorReplies")
    void anErrorReplyToAChildRunJobFailsTheWholeAppAndOrphansItsChildren(String what, Action refusal, boolean runners)
            throws Exception {
        // Children 0 and 1 are created; child 2's run_job gets the error; child 3 is never sent.
        ChildPlan plan = new ChildPlan(CHILD, 4, 3, 2);
        try (StubProxy stub = new StubProxy(sim.url(), StubProxy.byIndex(i -> i == 2 ? refusal : StubProxy.FORWARD))) {
            WorkloadReport r = new WorkloadRunner(stub.url()).run(oneApp("refused-child", plan, 60, runners));

            assertThat(stub.childRunJobs()).as("no resubmission after a submission error, nothing more submitted")
                    .hasSize(3);
            JobSnapshot parent = sim.get().jobs().stream().filter(j -> j.app().equals(PARENT)).findFirst().orElseThrow();
            assertThat(parent.status()).isEqualTo(JobStatus.ERROR);
            assertThat(parent.childRefusal()).startsWith("KBParallel: run_job for a " + CHILD + " task failed");
            if (refusal instanceof StubProxy.RefuseWithEe2Error e) {
                assertThat(parent.childRefusal()).endsWith(e.message());
            }
            JsonNode state = sim.result("dee-1", "execution_engine2.check_job", SimulatorExtension.obj("job_id",
                    parent.jobId()));
            assertThat(state.get("errormsg").asText()).isEqualTo(parent.childRefusal());
            if (runners) {
                assertThat(stub.calls("execution_engine2.finish_job"))
                        .as("ended by its runner's finish_job with the error, through the run's URL")
                        .anyMatch(c -> c.params().path("job_id").asText().equals(parent.jobId())
                                && c.params().path("error_message").asText().equals(parent.childRefusal()));
            }
            assertThat(stub.calls("execution_engine2.cancel_job")).as("orphans are never cancelled").isEmpty();
            assertThat(stub.calls("execution_engine2.check_job")).as("the failed app polls nothing more").isEmpty();

            List<JobSnapshot> kids = sim.get().jobs().stream().filter(j -> j.app().equals(CHILD)).toList();
            assertThat(kids).hasSize(2).allMatch(k -> k.status() == JobStatus.COMPLETED && k.finished() > parent.finished());
            assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
            assertThat(r.appsFailedByRefusal()).singleElement().satisfies(f -> {
                assertThat(f.jobId()).isEqualTo(parent.jobId());
                assertThat(f.jobClass()).isEqualTo("sample-set-app");
                assertThat(f.error()).isEqualTo(parent.childRefusal());
            });
            assertThat(r.orphans()).extracting(WorkloadReport.Orphan::jobId)
                    .containsExactlyInAnyOrderElementsOf(kids.stream().map(JobSnapshot::jobId).toList());
            assertThat(r.orphans()).allMatch(o -> o.parentJobId().equals(parent.jobId()) && o.parentStatus().equals("error"));
            assertThat(r.headline()).isEqualTo("FINISHED, but 1 parallel app failed: a child's run_job was refused");
            assertThat(r.toTable()).contains("verdict   FINISHED, but 1 parallel app failed", "2 orphaned children");
        }
    }
}
