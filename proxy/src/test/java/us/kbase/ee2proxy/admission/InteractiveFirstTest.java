package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadRunner;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * Issue 13: a scientist's own job must not wait behind queued children. One parallel app fans out
 * into 20 children of 300 s, all submitted at once (concurrent 20); a minute later the scientist
 * starts a small job. Straight at EE2 the children fill every slot and EE2's first-come queue, and
 * the job waits for them; through the proxy with the default policy the children beyond the free
 * slots wait at the proxy and one slot is kept free, so the job starts at once.
 */
class InteractiveFirstTest {
    static final String WORKLOAD = """
            name: interactive-behind-children
            speed: 100
            quietSeconds: 3
            timeoutSeconds: 300
            slots: 10
            runners: true
            users:
              - {name: ivy, tokens: [ivy-token-1, ivy-token-2]}
            apps:
              - method: kb_Bowtie2.align_reads_to_assembly_app
                seconds: 5
                children: {app: kb_Bowtie2.align_one_reads_to_assembly, count: 20, concurrent: 20, maxRetries: 0}
              - {method: kb_Bowtie2.align_one_reads_to_assembly, seconds: 300}
              - {method: kb_uploadmethods.import_fastq_sra_as_reads_from_staging, seconds: 30}
            submissions:
              - {at: 0, user: ivy, app: kb_Bowtie2.align_reads_to_assembly_app, class: parallel-app}
              - {at: 60, user: ivy, app: kb_uploadmethods.import_fastq_sra_as_reads_from_staging, class: interactive}
            """;

    @Test
    void anInteractiveJobArrivingBehindManyWaitingChildrenStartsBeforeThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.yaml");
        Files.writeString(file, WORKLOAD);
        Workload workload = Workload.load(file);
        try (ProxyExtension proxy = ProxyExtension.withSimulator(b -> b).admission(AdmissionPolicy.defaults()).build().start()) {
            WorkloadReport direct = new WorkloadRunner(proxy.simulator().url()).run(workload);
            WorkloadReport proxied = new WorkloadRunner(proxy.url()).run(workload);

            assertThat(direct.allFinished()).as(direct.toTable()).isTrue();
            assertThat(proxied.allFinished()).as(proxied.toTable()).isTrue();
            // Directly: behind 11 queued children, at least until the first running one ends (~240 s).
            assertThat(direct.classStats("interactive").waitSeconds().max()).as(direct.toTable()).isGreaterThan(200);
            // Through the proxy: the kept slot is free; the children beyond the free slots waited.
            assertThat(proxied.classStats("interactive").waitSeconds().max()).as(proxied.toTable()).isLessThan(30);
            assertThat(proxy.admissionCounter("held.child")).isPositive();
            assertThat(proxied.appsFailedByRefusal()).isEmpty();
        }
    }
}
