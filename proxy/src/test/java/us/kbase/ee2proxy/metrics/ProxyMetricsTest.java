package us.kbase.ee2proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
    @Test
    void methodAndKindBecomeLabels() {
        ProxyMetrics m = new ProxyMetrics(new MetricRegistry());
        m.request("check_job");
        m.request("check_job");
        m.upstreamLatency("check_job", 2_000_000);
        m.error(ErrorKind.UPSTREAM_TIMEOUT);
        m.connectionOpened();
        String text = new String(m.prometheusText(), StandardCharsets.UTF_8);
        assertThat(text)
                .contains("ee2proxy_requests_check_job_total 2.0")
                .contains("ee2proxy_upstream_seconds_check_job_count 1")
                .contains("ee2proxy_errors_upstream_timeout_total 1.0")
                .contains("ee2proxy_errors_body_too_large_total 0.0")
                .contains("ee2proxy_connections_open 1.0");
    }
}
