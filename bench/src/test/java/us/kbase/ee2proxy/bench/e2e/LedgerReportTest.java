package us.kbase.ee2proxy.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run-e2e's ledger columns, as bench/run-e2e writes them, read back into e2e.md's lines. */
class LedgerReportTest {
    @TempDir
    Path raw;

    private void write(String e2e, String scaling, String metrics) throws IOException {
        Files.writeString(raw.resolve("e2e.tsv"), e2e);
        Files.writeString(raw.resolve("scaling.tsv"), scaling);
        Files.writeString(raw.resolve("machine.properties"), "rounds=1\n");
        if (metrics != null) {
            Files.writeString(raw.resolve("proxy-metrics.txt"), metrics);
        }
    }

    private static final String E2E_HEADER = "round\ttarget\tpath\trps\tp50_us\tp99_us\tp999_us\trequests\terrors\tcpu_s_per_10k"
            + "\tledger_decisions\tledger_fallback\tledger_unavailable\tredis_errors\n";
    private static final String SCALING_HEADER = "kind\tpath\tusers\tconnections\theld\trps\tp50_us\tp99_us\tp999_us\terrors"
            + "\trss_kb\thwm_kb\tnon2xx\tledger_decisions\tledger_fallback\tledger_unavailable\tredis_errors\n";

    @Test
    void eachRunOfOursShowsItsFallbackDecisionsOfAllAndTheWholeRunIsSplitByPart() throws IOException {
        write(E2E_HEADER
                        + "1\tnginx\tcheck_job_canceled, pass-through\t30000\t1700\t9000\t20000\t300000\t0\t0.25\t\t\t\t\n"
                        + "1\tours-runjob\trun_job, admission + Redis ledger\t4500\t13000\t39000\t53000\t45000\t0\t2.1"
                        + "\t12345\t0\t0\t0\n",
                SCALING_HEADER
                        + "users\trun_job\t10\t10000\t0\t989\t1649158\t2266277\t2276737\t0\t515740\t515740\t0\t14931\t455\t455\t2616\n"
                        + "held\tcheck_job_canceled\t1\t10\t10\t23500\t900\t5000\t9000\t0\t900000\t900000\t0\t10\t0\t0\t0\n",
                "# TYPE ledger_decisions_total counter\nledger_decisions_total 30000.0\n"
                        + "ledger_fallback_decisions_total 500.0\nee2proxy_admission_ledger_unavailable_total 460.0\n"
                        + "ledger_redis_errors_total 2620.0\nledger_redis_acquire_count 29000\n");
        RawResults results = RawResults.read(raw);

        assertThat(results.runs().get(0).ledger().known()).as("nginx has no ledger").isFalse();
        assertThat(String.join("\n", LedgerReport.perRun(results.runs())))
                .contains("| 1 | ours-runjob | 12,345 | 12,345 | 0 of 12,345 | 0 | 0 |")
                .doesNotContain("nginx");
        assertThat(LedgerReport.fallbackOf(results.steps().get(0).ledger())).isEqualTo("455 of 14,931");
        assertThat(String.join("\n", LedgerReport.wholeRun(results)))
                .contains("asked 30,000 decisions, 500 of them on the fallback (1.7%)")
                .contains("measured rounds 0 of 12,345, scaling steps 455 of 14,931, held steps 0 of 10,")
                .contains("between steps) 45 of 2,714.");
    }

    @Test
    void resultsWrittenBeforeTheLedgerColumnsStillRead() throws IOException {
        write("round\ttarget\tpath\trps\tp50_us\tp99_us\tp999_us\trequests\terrors\tcpu_s_per_10k\n"
                        + "1\tours-runjob\trun_job\t4500\t13000\t39000\t53000\t45000\t0\t2.1\n",
                "kind\tpath\tusers\tconnections\theld\trps\tp50_us\tp99_us\tp999_us\terrors\trss_kb\thwm_kb\tnon2xx\n"
                        + "users\trun_job\t10\t10\t0\t1888\t4392\t327932\t376513\t0\t376928\t376928\t0\n",
                "ledger_fallback_decisions_total 48199.0\n");
        RawResults results = RawResults.read(raw);

        assertThat(LedgerReport.perRun(results.runs())).isEmpty();
        assertThat(LedgerReport.fallbackOf(results.steps().get(0).ledger())).isEqualTo("-");
        assertThat(LedgerReport.wholeRun(results)).as("no ledger_decisions_total: no denominator").isEmpty();
    }
}
