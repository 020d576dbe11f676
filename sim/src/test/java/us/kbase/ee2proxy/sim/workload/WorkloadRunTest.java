package us.kbase.ee2proxy.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.SimulatorExtension;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.ChildPlan;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Verdict;

/** Workloads run over HTTP against a real simulator: the deadlock, and the runs that finish. */
class WorkloadRunTest {
    static final Path WORKLOADS = Path.of("..", "config", "workloads");
    static final String PARENT = "kb_Bowtie2.align_reads_to_assembly_app";
    static final String CHILD = "kb_Bowtie2.align_one_reads_to_assembly";

    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b);

    private WorkloadReport run(Workload w) throws Exception {
        WorkloadReport r = new WorkloadRunner(sim.url()).run(w);
        assertThat(r.rejected()).as(r.toTable()).isEmpty();
        return r;
    }

    @Test
    void twelveParallelAppsDeadlockNamingTheTenParents() throws Exception {
        long start = System.nanoTime();
        WorkloadReport r = run(Workload.load(WORKLOADS.resolve("twelve-parallel-apps.yaml")));
        double wall = (System.nanoTime() - start) / 1e9;

        assertThat(r.verdict()).isEqualTo(Verdict.DEADLOCK);
        assertThat(wall).as("declared within 30 s of wall time").isLessThan(30);
        Deadlock d = r.deadlock();
        assertThat(d.user()).isEqualTo("alice");
        assertThat(d.slots()).isEqualTo(10);
        List<JobSnapshot> jobs = sim.get().jobs();
        List<String> runningParents = jobs.stream()
                .filter(j -> j.app().equals(PARENT) && j.status() == JobStatus.RUNNING).map(JobSnapshot::jobId).toList();
        assertThat(d.parents()).hasSize(10).containsExactlyInAnyOrderElementsOf(runningParents);
        assertThat(d.parentApps()).containsOnly(PARENT);
        // Every stuck parent waits on at least one queued child (a slow machine may not have let the
        // last submissions through before the verdict; they would queue behind the parents too).
        // The children carry no parent_job_id (KBParallel's shape): the simulator's own link finds them.
        List<String> waitedOn = jobs.stream().filter(j -> d.children().contains(j.jobId()))
                .map(JobSnapshot::parent).distinct().toList();
        assertThat(waitedOn).containsExactlyInAnyOrderElementsOf(d.parents());
        assertThat(d.children()).hasSizeBetween(10, 30).allMatch(id -> jobs.stream()
                .anyMatch(j -> j.jobId().equals(id) && j.status() == JobStatus.QUEUED && j.parentJobId() == null
                        && d.parents().contains(j.spawnedBy())));
        assertThat(r.classStats("interactive").finished()).isZero();
        assertThat(r.toTable()).contains("DEADLOCK: user alice", d.parents().get(0));
        assertThat(r.toJson()).contains("\"verdict\" : \"DEADLOCK\"", "\"user\" : \"alice\"");
    }

    @Test
    void nineParentsAtATimeFinish() throws Exception {
        // Nine parents leave one slot: the children squeeze through it until parents finish.
        Workload w = Workload.builder("nine-parallel-apps").speed(400)
                .user("alice", "a-1", "a-2")
                .app(AppProfile.parent(PARENT, 10, new ChildPlan(CHILD, 3, 3, 1)))
                .app(AppProfile.plain(CHILD, 30))
                .app(AppProfile.plain("kb_uploadmethods.import_reads", 30))
                .submit(Submission.job(0, "alice", PARENT).repeated(9, 1).withClass("parallel-app"))
                .submit(Submission.job(20, "alice", "kb_uploadmethods.import_reads").withClass("interactive"))
                .build();
        WorkloadReport r = run(w);
        assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
        assertThat(r.jobs()).isEqualTo(9 + 27 + 1);
        assertThat(r.finished()).isEqualTo(r.jobs());
        assertThat(r.unfinished()).isEmpty();
        assertThat(r.classStats("child").jobs()).isEqualTo(27);
        assertThat(r.classStats("interactive").turnaroundSeconds().max()).isGreaterThanOrEqualTo(30);
        assertThat(r.makespanSeconds()).isGreaterThan(10 + 30);
    }

    @Test
    void mixedLabWithNestingBatchRetriesAndCancelFinishes() throws Exception {
        WorkloadReport r = run(Workload.load(WORKLOADS.resolve("mixed-lab.yaml")));
        assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
        List<JobSnapshot> jobs = sim.get().jobs();
        // kb_concoct's children: 4, two of which fail once and are resubmitted by the parent.
        assertThat(jobs.stream().filter(j -> j.app().equals("kb_concoct.bin_one"))).hasSize(6);
        // nesting: run_batch -> 2 Bowtie2 parents -> 3 alignments each, per batch app (2 of them).
        assertThat(jobs.stream().filter(j -> j.app().equals(CHILD))).hasSize(12);
        assertThat(jobs.stream().filter(j -> j.app().equals(CHILD))
                .map(j -> jobs.stream().filter(p -> p.jobId().equals(j.spawnedBy())).findFirst().orElseThrow().app()))
                .containsOnly(PARENT);
        assertThat(r.classStats("retried").jobs()).as("the user's retry_job made a second job").isEqualTo(2);
        assertThat(r.classStats("cancelled").finished()).isEqualTo(1);
        assertThat(jobs.stream().filter(j -> "cancelled".equals(j.label())).findFirst().orElseThrow().status())
                .isEqualTo(JobStatus.TERMINATED);
        assertThat(r.classStats("batch").jobs()).isEqualTo(6);
    }

    @Test
    void runnersReportEveryStepThroughTheUrl() throws Exception {
        long starts = sim.get().calls("execution_engine2.start_job");
        long finishes = sim.get().calls("execution_engine2.finish_job");
        long checks = sim.get().calls("execution_engine2.check_job_canceled");
        Workload w = Workload.builder("runners").speed(20).runners(true)
                .user("bob", "b-1")
                .app(AppProfile.parent("kb_hisat2.run_hisat2", 2, new ChildPlan("kb_hisat2.one", 2, 2, 0)))
                .app(AppProfile.plain("kb_hisat2.one", 10))
                .submit(Submission.job(0, "bob", "kb_hisat2.run_hisat2"))
                .build();
        WorkloadReport r = run(w);
        assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
        assertThat(sim.get().calls("execution_engine2.start_job") - starts).isEqualTo(3);
        assertThat(sim.get().calls("execution_engine2.finish_job") - finishes).isEqualTo(3);
        assertThat(sim.get().calls("execution_engine2.check_job_canceled") - checks).isPositive();
        assertThat(sim.get().jobs()).allMatch(j -> j.status() == JobStatus.COMPLETED && j.running() >= j.queued());
    }

    @Test
    void anEe2ErrorReplyToAChildRunJobFailsTheParentAtOnceWithoutResubmitting() throws Exception {
        long runJobs = sim.get().calls("execution_engine2.run_job");
        Workload w = Workload.builder("refused-children").speed(100)
                .user("carol", "c-1")
                // a child method with two dots: EE2 refuses its run_job with an error reply
                .app(AppProfile.parent("kb_Bwa.run_bwa", 1, new ChildPlan("kb_Bwa.not.a.method", 2, 2, 2)))
                .submit(Submission.job(0, "carol", "kb_Bwa.run_bwa"))
                .build();
        WorkloadReport r = run(w);
        assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
        assertThat(sim.get().calls("execution_engine2.run_job") - runJobs).as("the parent's, then one child's: "
                + "KBParallel re-raises the error; max_retries is only for children that ended in error")
                .isEqualTo(1 + 1);
        JobSnapshot parent = sim.get().jobs().get(0);
        assertThat(parent.status()).isEqualTo(JobStatus.ERROR);
        assertThat(parent.childRefusal()).contains("Unrecognized method: 'kb_Bwa.not.a.method'");
        assertThat(r.appsFailedByRefusal()).singleElement().satisfies(f -> assertThat(f.jobId()).isEqualTo(parent.jobId()));
        assertThat(r.orphans()).isEmpty();
        assertThat(r.toTable()).contains("FINISHED, but 1 parallel app failed: a child's run_job was refused");
    }

    @Test
    void bowtie2SampleSetsAllFinishDirectly() throws Exception {
        WorkloadReport r = run(Workload.load(WORKLOADS.resolve("bowtie2-sample-sets.yaml")));
        assertThat(r.verdict()).as(r.toTable()).isEqualTo(Verdict.FINISHED);
        assertThat(r.jobs()).isEqualTo(5 + 15);
        assertThat(r.classStats("sample-set-app").finished()).isEqualTo(5);
        assertThat(r.classStats("child").finished()).isEqualTo(15);
        assertThat(r.appsFailedByRefusal()).isEmpty();
        assertThat(r.orphans()).isEmpty();
        assertThat(sim.get().jobs()).allMatch(j -> j.parentJobId() == null && j.status() == JobStatus.COMPLETED);
    }
}
