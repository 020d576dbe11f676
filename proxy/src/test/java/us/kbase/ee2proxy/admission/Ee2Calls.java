package us.kbase.ee2proxy.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import us.kbase.ee2proxy.testing.RawHttp;

/** EE2 calls as a KBase client sends them, over real sockets, for the admission tests. */
final class Ee2Calls {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong();

    private Ee2Calls() {}

    /** A run_job body: {@code method} plus any extra RunJobParams members. */
    static byte[] runJob(String method, Map<String, Object> extra) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("method", method);
        params.put("app_id", method.replace('.', '/'));
        params.put("params", List.of(Map.of()));
        params.put("wsid", 42);
        params.putAll(extra);
        return call("run_job", params);
    }

    /** A run_job_batch body: the jobs (RunJobParams maps) and the batch's wsid. */
    static byte[] runJobBatch(List<Map<String, Object>> jobs) {
        return call("run_job_batch", List.of(jobs, Map.of("wsid", 42)));
    }

    static byte[] call(String method, Object firstParam) {
        return call(method, List.of(firstParam));
    }

    static byte[] call(String method, List<Object> params) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", "execution_engine2." + method);
        body.put("params", params);
        body.put("version", "1.1");
        body.put("id", Long.toString(IDS.incrementAndGet()));
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one call and reads the answer. */
    static RawHttp.Response send(URI url, String token, byte[] body) throws IOException {
        try (RawHttp http = new RawHttp(url)) {
            return http.send(request(token, body)).read();
        }
    }

    /** Sends one call on a connection the caller keeps (a call that may be held), without reading. */
    static RawHttp start(URI url, String token, byte[] body) throws IOException {
        return new RawHttp(url).send(request(token, body));
    }

    static byte[] request(String token, byte[] body) {
        return token == null
                ? RawHttp.post("/services/ee2", body, "Content-Type: application/json")
                : RawHttp.post("/services/ee2", body, "Content-Type: application/json", "Authorization: " + token);
    }

    /** The job id of a successful run_job reply. */
    static String jobId(RawHttp.Response r) {
        if (r.status() != 200) {
            throw new AssertionError("run_job failed: " + r.bodyText());
        }
        return json(r).path("result").path(0).asText();
    }

    /** The message of an EE2-shaped error reply. */
    static String errorMessage(RawHttp.Response r) {
        return json(r).path("error").path("message").asText();
    }

    static JsonNode json(RawHttp.Response r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(r.body(), StandardCharsets.UTF_8), e);
        }
    }
}
