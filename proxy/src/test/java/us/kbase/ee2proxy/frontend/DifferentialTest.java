package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.config.Limits;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.testing.Ee2Requests;
import us.kbase.ee2proxy.testing.HttpLink;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * The proxy is invisible: over a thousand generated requests (all 28 methods, every token
 * situation, odd bodies) sent to the simulator directly and through the proxy get the same status
 * line, the same body bytes and the same content-type and CORS headers.
 *
 * <p>Compared: the status line, {@code content-type}, {@code Access-Control-Allow-Origin},
 * {@code Access-Control-Allow-Headers}, {@code content-length} and the body. Masked: the job ids
 * and timestamps the simulator mints per call (two calls never create the same job), and only
 * those. Where the proxy must answer differently, each case is asserted on its own below:
 * a chunked body (EE2 reads it as empty; through the proxy it arrives with a Content-Length), a
 * body over the proxy's limit, and malformed HTTP.
 */
class DifferentialTest {
    private static final int BODY_LIMIT = 2 * 1024 * 1024;
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{24}");
    private static final Pattern MILLIS = Pattern.compile("\\b1[0-9]{12}\\b(\\.[0-9]+)?");
    private static final Pattern SECONDS = Pattern.compile("\\b1[0-9]{9}\\.[0-9]+\\b");
    private static final Pattern RESULT_ID = Pattern.compile("\"result\": \\[\"([0-9a-f]{24})\"\\]");

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim
                    .token(Ee2Requests.USER_TOKEN, "alice")
                    .token(Ee2Requests.ADMIN_TOKEN, "ee2admin", "EE2_ADMIN")
                    .defaultSeconds(1_000_000)) // jobs never finish by themselves: both sides see one state
            .config(config -> config.withLimits(new Limits(8192, 16384, BODY_LIMIT, 64 * 1024 * 1024)))
            .build();
    private static Ee2Simulator sim;
    private static HttpLink setup;
    private static String sharedJob;

    @BeforeAll
    static void start() throws Exception {
        sim = proxy.simulator();
        setup = new HttpLink(sim.url());
        sharedJob = newJob();
    }

    @AfterAll
    static void stop() throws IOException {
        setup.close();
    }

    /** A new queued job of alice's, made directly on the simulator. */
    private static String newJob() {
        try {
            RawHttp.Response r = setup.exchange(RawHttp.post("/", ("{\"method\": \"execution_engine2.run_job\", \"params\": "
                    + "[{\"method\": \"kb_uploadmethods.upload_fastq\", \"app_id\": \"kb_uploadmethods/upload_fastq\"}], "
                    + "\"version\": \"1.1\", \"id\": \"setup\"}").getBytes(StandardCharsets.UTF_8),
                    "Authorization: " + Ee2Requests.USER_TOKEN));
            Matcher m = RESULT_ID.matcher(r.bodyText());
            if (!m.find()) {
                throw new AssertionError("the simulator created no job: " + r.bodyText());
            }
            return m.group(1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Ee2Requests generator(long seed) {
        return new Ee2Requests(seed, () -> sharedJob, DifferentialTest::newJob);
    }

    /** What must be equal on both sides. */
    private record Seen(String statusLine, String contentType, String allowOrigin, String allowHeaders, String length,
            String body) {
        static Seen of(RawHttp.Response r) {
            String raw = new String(r.body(), StandardCharsets.ISO_8859_1);
            String masked = SECONDS.matcher(MILLIS.matcher(JOB_ID.matcher(raw).replaceAll("<job>")).replaceAll("<ms>"))
                    .replaceAll("<s>");
            // A masked value may differ in length; the length then only has to match the body.
            String length = masked.equals(raw) ? r.header("content-length")
                    : String.valueOf(Integer.parseInt(r.header("content-length")) == r.body().length);
            return new Seen(r.statusLine(), r.header("content-type"), r.header("Access-Control-Allow-Origin"),
                    r.header("Access-Control-Allow-Headers"), length, masked);
        }
    }

    private static void compare(List<Ee2Requests.Case> cases, List<String> mismatches) throws IOException {
        try (HttpLink direct = new HttpLink(sim.url()); HttpLink proxied = new HttpLink(proxy.url())) {
            for (Ee2Requests.Case c : cases) {
                String[] headers = c.headers().toArray(String[]::new);
                Seen expected = Seen.of(direct.exchange(RawHttp.post("/", c.body().get(), headers)));
                Seen actual = Seen.of(proxied.exchange(RawHttp.post("/", c.body().get(), headers)));
                if (!expected.equals(actual)) {
                    mismatches.add(c.label() + "\n  direct:  " + expected + "\n  proxied: " + actual);
                }
            }
        }
    }

    @Test
    void everyMethodAndOddBodyAnswersTheSameThroughTheProxy() throws IOException {
        Ee2Requests generator = generator(20261121L);
        List<Ee2Requests.Case> cases = new ArrayList<>(generator.calls(36));
        cases.addAll(generator.oddBodies());
        assertThat(cases).hasSizeGreaterThanOrEqualTo(1000);
        List<String> mismatches = new ArrayList<>();
        compare(cases, mismatches);
        assertThat(mismatches).as("%d of %d cases differ; the first: %s", mismatches.size(), cases.size(),
                mismatches.stream().limit(5).toList()).isEmpty();
        for (String method : Ee2Requests.methods()) {
            assertThat(sim.calls("execution_engine2." + method)).as(method).isPositive();
        }
    }

    @Test
    void pipelinedRequestsAnswerTheSameAndInOrder() throws IOException {
        // All direct requests run before all proxied ones here, so calls that list every job
        // (which the other side's run_job calls add to) are left out.
        List<Ee2Requests.Case> cases = generator(7L).calls(2).stream()
                .filter(c -> !c.label().startsWith("check_jobs_date_range") && !c.label().startsWith("check_workspace_jobs"))
                .toList();
        ByteArrayOutputStream direct = new ByteArrayOutputStream();
        ByteArrayOutputStream proxied = new ByteArrayOutputStream();
        for (Ee2Requests.Case c : cases) {
            String[] headers = c.headers().toArray(String[]::new);
            direct.writeBytes(RawHttp.post("/", c.body().get(), headers));
            proxied.writeBytes(RawHttp.post("/", c.body().get(), headers));
        }
        try (RawHttp d = new RawHttp(sim.url()); RawHttp p = new RawHttp(proxy.url())) {
            d.send(direct.toByteArray());
            p.send(proxied.toByteArray());
            for (Ee2Requests.Case c : cases) {
                assertThat(Seen.of(p.read())).as(c.label()).isEqualTo(Seen.of(d.read()));
            }
        }
    }

    @Test
    void optionsAnswersTheSame() throws IOException {
        for (String request : List.of("OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n",
                "OPTIONS /services/ee2 HTTP/1.1\r\nHost: x\r\nAccess-Control-Request-Headers: authorization, content-type\r\n\r\n")) {
            try (RawHttp d = new RawHttp(sim.url()); RawHttp p = new RawHttp(proxy.url())) {
                RawHttp.Response expected = d.send(request).read();
                assertThat(expected.status()).isEqualTo(200);
                assertThat(Seen.of(p.send(request).read())).isEqualTo(Seen.of(expected));
            }
        }
    }

    @Test
    void expectContinueAnswersTheSame() throws IOException {
        byte[] body = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"e\"}"
                .getBytes(StandardCharsets.UTF_8);
        try (RawHttp d = new RawHttp(sim.url()); RawHttp p = new RawHttp(proxy.url())) {
            RawHttp.Response expected = d.send(RawHttp.post("/", body, "Expect: 100-continue")).read();
            assertThat(Seen.of(p.send(RawHttp.post("/", body, "Expect: 100-continue")).read())).isEqualTo(Seen.of(expected));
        }
    }

    // The cases where the proxy must differ, each on its own.

    @Test
    void chunkedBodyReachesEe2WithALengthSoItIsReadNotEmpty() throws IOException {
        String body = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"c\"}";
        String chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
        try (RawHttp d = new RawHttp(sim.url()); RawHttp p = new RawHttp(proxy.url())) {
            // EE2 reads Content-Length bytes: none, so an empty body and a parse error...
            RawHttp.Response direct = d.send(chunked).read();
            assertThat(direct.bodyText()).contains("\"code\": -32700").contains("Expecting value: line 1 column 1 (char 0)");
            // ...while through the proxy the call arrives whole, as if sent with a Content-Length.
            RawHttp.Response expected = d.send(RawHttp.post("/", body.getBytes(StandardCharsets.UTF_8))).read();
            assertThat(Seen.of(p.send(chunked).read())).isEqualTo(Seen.of(expected));
        }
    }

    @Test
    void bodyOverTheProxysLimitIsTheProxysOwnError() throws IOException {
        byte[] huge = ("{\"method\": \"execution_engine2.ver\", \"params\": [\"" + "x".repeat(BODY_LIMIT) + "\"], \"id\": 1}")
                .getBytes(StandardCharsets.UTF_8);
        try (RawHttp p = new RawHttp(proxy.url())) {
            RawHttp.Response r = p.send(RawHttp.post("/", huge)).read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.bodyText()).contains("limits.maxBodyBytes");
        }
    }

    @Test
    void malformedHttpIsTheProxysOwnError() throws IOException {
        try (RawHttp p = new RawHttp(proxy.url())) {
            RawHttp.Response r = p.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n").read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.bodyText()).contains("could not read the HTTP request");
        }
    }
}
