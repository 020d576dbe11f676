package us.kbase.ee2proxy.sim.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.sim.SimulatorExtension.obj;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.SimulatorExtension;
import us.kbase.ee2proxy.sim.control.RunConfiguration;

/** HTCondor under EE2, driven through EE2's own methods over real sockets. Jobs run an hour, so nothing finishes by itself. */
class SchedulerTest {
    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b.slots(3).defaultSeconds(3600)
            .token("alice-1", "alice").token("alice-2", "alice").token("bob", "bob")
            .token("admin", "ops", "EE2_ADMIN").token("concierge", "kbaseconcierge"));

    @BeforeEach
    void fresh() {
        sim.get().reset();
    }

    private String run(String token, String app) throws Exception {
        return sim.result(token, "execution_engine2.run_job", obj("method", app, "app_id", app.replace('.', '/')))
                .asText();
    }

    private JobStatus status(String id) throws Exception {
        return JobStatus.fromWire(sim.result("admin", "execution_engine2.check_job",
                obj("job_id", id, "as_admin", 1)).get("status").asText());
    }

    @Test
    void perUserLimitCountsTheUserNotTheTokenAndKeepsFifo() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(run(i % 2 == 0 ? "alice-1" : "alice-2", "kb_A.x"));
        }
        String bobs = run("bob", "kb_A.x");
        assertThat(ids).allMatch(id -> id.matches("[0-9a-f]{24}"));
        assertThat(status(ids.get(0))).isEqualTo(JobStatus.RUNNING);
        assertThat(status(ids.get(2))).isEqualTo(JobStatus.RUNNING);
        assertThat(status(ids.get(3))).isEqualTo(JobStatus.QUEUED);
        assertThat(status(bobs)).isEqualTo(JobStatus.RUNNING);

        // A slot frees: the oldest queued job of that user starts, not a later one.
        sim.result("alice-1", "execution_engine2.cancel_job", obj("job_id", ids.get(1)));
        assertThat(status(ids.get(3))).isEqualTo(JobStatus.RUNNING);
        assertThat(status(ids.get(4))).isEqualTo(JobStatus.QUEUED);
        JobSnapshot started = sim.get().jobs().stream().filter(j -> j.jobId().equals(ids.get(3))).findFirst().get();
        assertThat(started.queued()).isPositive().isLessThanOrEqualTo(started.running());
    }

    @Test
    void changesSinceAVersionAreTheJobsThatMovedAfterIt() throws Exception {
        var none = sim.result(null, "ee2sim.changes", obj("since", 0));
        assertThat(none.get("jobs")).isEmpty();
        long v0 = none.get("version").asLong();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(run("alice-1", "kb_A.x"));
        }
        var submitted = sim.result(null, "ee2sim.changes", obj("since", v0));
        assertThat(submitted.get("jobs")).extracting(j -> j.get("jobId").asText()).containsExactlyElementsOf(ids);
        long v1 = submitted.get("version").asLong();
        assertThat(sim.result(null, "ee2sim.changes", obj("since", v1)).get("jobs")).isEmpty();

        // The cancel moves the cancelled job and starts the queued one (it now holds a slot).
        sim.result("alice-1", "execution_engine2.cancel_job", obj("job_id", ids.get(0)));
        var moved = sim.result(null, "ee2sim.changes", obj("since", v1));
        assertThat(moved.get("jobs")).extracting(j -> j.get("jobId").asText() + " " + j.get("status").asText()
                + " " + j.get("holdsSlot").asBoolean()).containsExactly(ids.get(0) + " TERMINATED false",
                        ids.get(3) + " RUNNING true");
        assertThat(moved.get("since").asLong()).isEqualTo(v1);
        assertThat(moved.get("lastChange").asLong()).isPositive();
        assertThat(sim.result(null, "ee2sim.changes", obj("since", 0)).get("jobs")).hasSize(4);
        assertThat(sim.error(null, "ee2sim.changes", obj("since", -1)).get("message").asText()).contains("since");
    }

    @Test
    void batchContainerTakesNoSlotButEachChildDoes() throws Exception {
        var r = sim.result("alice-1", "execution_engine2.run_job_batch",
                List.of(obj("method", "kb_A.x"), obj("method", "kb_A.x"), obj("method", "kb_A.x"), obj("method", "kb_A.x")),
                obj("wsid", 7));
        String batch = r.get("batch_id").asText();
        List<String> children = new ArrayList<>();
        r.get("child_job_ids").forEach(c -> children.add(c.asText()));
        assertThat(children).hasSize(4);
        JobSnapshot container = sim.get().jobs().stream().filter(j -> j.jobId().equals(batch)).findFirst().get();
        assertThat(container.holdsSlot()).isFalse();
        assertThat(container.batchContainer()).isTrue();
        assertThat(status(children.get(2))).isEqualTo(JobStatus.RUNNING);
        assertThat(status(children.get(3))).isEqualTo(JobStatus.QUEUED);
        var batchState = sim.result("alice-1", "execution_engine2.check_job_batch", obj("job_id", batch));
        assertThat(batchState.get("batch_jobstate").get("batch_job").asBoolean()).isTrue();
        assertThat(batchState.get("child_jobstates")).hasSize(4);
        assertThat(batchState.get("child_jobstates").get(0).get("batch_id").asText()).isEqualTo(batch);
    }

    @Test
    void conciergeAndIgnoredLimitsTakeNoUserSlot() throws Exception {
        for (int i = 0; i < 3; i++) {
            run("alice-1", "kb_A.x");
        }
        String concierge = sim.result("concierge", "execution_engine2.run_job_concierge",
                obj("method", "kb_A.x"), obj()).asText();
        assertThat(status(concierge)).isEqualTo(JobStatus.RUNNING);
        for (int i = 0; i < 5; i++) {
            String free = sim.result("admin", "execution_engine2.run_job", obj("method", "kb_A.x", "as_admin", true,
                    "job_requirements", Map.of("ignore_concurrency_limits", "false"))).asText();
            assertThat(status(free)).as("the string 'false' is truthy").isEqualTo(JobStatus.RUNNING);
        }
        assertThat(sim.error("alice-1", "execution_engine2.run_job_concierge", obj("method", "kb_A.x"), obj())
                .get("message").asText()).contains("not the concierge user");
    }

    @Test
    void billToUserChargesThatUsersLimit() throws Exception {
        for (int i = 0; i < 3; i++) {
            run("bob", "kb_A.x");
        }
        String billed = sim.result("admin", "execution_engine2.run_job", obj("method", "kb_A.x", "as_admin", 1,
                "job_requirements", Map.of("bill_to_user", "bob"))).asText();
        assertThat(status(billed)).isEqualTo(JobStatus.QUEUED);
        JobSnapshot s = sim.get().jobs().stream().filter(j -> j.jobId().equals(billed)).findFirst().get();
        assertThat(s.user()).isEqualTo("ops");
        assertThat(s.slotUser()).isEqualTo("bob");
        String own = run("admin", "kb_A.x");
        assertThat(status(own)).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void retryMakesANewJobOfTheSameSlotUser() throws Exception {
        String id = run("alice-1", "kb_A.x");
        assertThat(sim.error("alice-1", "execution_engine2.retry_job", obj("job_id", id)).get("message").asText())
                .contains("can only retry jobs with status 'error' or 'terminated'");
        sim.result("alice-1", "execution_engine2.cancel_job", obj("job_id", id));
        var r = sim.result("alice-2", "execution_engine2.retry_job", obj("job_id", id));
        assertThat(r.get("job_id").asText()).isEqualTo(id);
        String retry = r.get("retry_id").asText();
        assertThat(status(retry)).isEqualTo(JobStatus.RUNNING);
        var original = sim.result("alice-1", "execution_engine2.check_job", obj("job_id", id));
        assertThat(original.get("retry_ids").get(0).asText()).isEqualTo(retry);
        assertThat(original.get("terminated_code").asInt()).isZero();
    }

    @Test
    void aUserAtTheLimitDoesNotHoldUpOthersAndTheOldestStartableGoesFirst() throws Exception {
        sim.get().configure(new RunConfiguration(null, 1, false, 3600, 3, 4,
                Map.of(), List.of(), List.of(), true));
        try {
            List<String> alice = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                alice.add(run("alice-1", "kb_A.x"));   // 3 run, the 4th waits for alice's slot
            }
            String bob1 = run("bob", "kb_A.x");       // the pool's 4th place: runs although older alice waits
            String bob2 = run("bob", "kb_A.x");       // pool full: waits
            assertThat(status(alice.get(3))).isEqualTo(JobStatus.QUEUED);
            assertThat(status(bob1)).isEqualTo(JobStatus.RUNNING);
            assertThat(status(bob2)).isEqualTo(JobStatus.QUEUED);
            // alice frees a slot: her own older job is the oldest startable one, not bob's
            sim.result("alice-1", "execution_engine2.cancel_job", obj("job_id", alice.get(0)));
            assertThat(status(alice.get(3))).isEqualTo(JobStatus.RUNNING);
            assertThat(status(bob2)).isEqualTo(JobStatus.QUEUED);
            // another of alice's jobs ends and she has nothing waiting: the place goes to bob
            sim.result("alice-1", "execution_engine2.cancel_job", obj("job_id", alice.get(1)));
            assertThat(status(bob2)).isEqualTo(JobStatus.RUNNING);
        } finally {
            sim.get().configure(new RunConfiguration(null, 1, false, 3600, 3, 100_000,
                    Map.of(), List.of(), List.of(), true));
        }
    }

    @Test
    void capacityLimitsTheWholePool() throws Exception {
        sim.get().configure(new RunConfiguration(null, 1, false, 3600, 3, 2,
                Map.of(), List.of(), List.of(), true));
        try {
            String a = run("alice-1", "kb_A.x");
            String b = run("bob", "kb_A.x");
            String c = run("bob", "kb_A.x");
            assertThat(status(a)).isEqualTo(JobStatus.RUNNING);
            assertThat(status(b)).isEqualTo(JobStatus.RUNNING);
            assertThat(status(c)).isEqualTo(JobStatus.QUEUED);
        } finally {
            sim.get().configure(new RunConfiguration(null, 1, false, 3600, 3, 100_000,
                    Map.of(), List.of(), List.of(), true));
        }
    }

    @Test
    void finishedJobsBeyondTheKeepLimitAreForgotten() {
        Scheduler s = new Scheduler(10, 100, System::currentTimeMillis);
        s.keepFinished(2);
        List<Job> done = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Job j = s.submit(new NewJob("u", "t", "m.f", null, null, null, null, null, "u", null, null, false));
            s.finish(j, JobStatus.COMPLETED, null, null, null);
            done.add(j);
        }
        Job running = s.submit(new NewJob("u", "t", "m.f", null, null, null, null, null, "u", null, null, false));
        assertThat(s.find(done.get(0).id())).isNull();
        assertThat(s.find(done.get(1).id())).isNull();
        assertThat(s.find(done.get(3).id())).isSameAs(done.get(3));
        assertThat(s.find(running.id())).isSameAs(running);
        assertThat(s.snapshot()).hasSize(3);
    }
}
