package us.kbase.ee2proxy.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import us.kbase.ee2proxy.testing.RawHttp;

/** What the status tests send: run_job calls as a KBase client does, and GETs of the pages. */
final class StatusCalls {
    static final JsonMapper JSON = new JsonMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String PARALLEL_APP = "kb_Bowtie2.align_reads_to_assembly_app";
    static final String CHILD_APP = "kb_quast.run_QUAST_app";
    private static final AtomicLong IDS = new AtomicLong();

    private StatusCalls() {}

    static byte[] runJob(String method, Map<String, Object> extra) {
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        params.put("method", method);
        params.put("app_id", method.replace('.', '/'));
        params.put("params", List.of(Map.of()));
        params.put("wsid", 42);
        params.putAll(extra);
        try {
            return JSON.writeValueAsBytes(Map.of("method", "execution_engine2.run_job", "params", List.of(params),
                    "version", "1.1", "id", Long.toString(IDS.incrementAndGet())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a run_job on a connection the caller keeps and reads later (the call may wait). */
    static RawHttp start(URI proxy, String token, byte[] body) throws IOException {
        return new RawHttp(proxy).send(RawHttp.post("/services/ee2", body, "Content-Type: application/json",
                "Authorization: " + token));
    }

    static RawHttp.Response run(URI proxy, String token, byte[] body) throws IOException {
        try (RawHttp http = start(proxy, token, body)) {
            return http.read();
        }
    }

    static JsonNode json(RawHttp.Response r) {
        return json(new String(r.body(), StandardCharsets.UTF_8));
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** GET {@code url} with {@code headers} (name, value, name, value...). */
    static HttpResponse<String> get(URI url, String... headers) {
        return send(HttpRequest.newBuilder(url).GET(), headers);
    }

    static HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
