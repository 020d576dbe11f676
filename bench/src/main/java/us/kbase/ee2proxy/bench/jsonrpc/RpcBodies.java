package us.kbase.ee2proxy.bench.jsonrpc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * Request bodies of a given size, shaped as KBase clients send them. A body grows the way real
 * ones do: a {@code run_job}'s app parameters list more input objects; a {@code check_job_canceled}
 * carries the same list under a key EE2 ignores (real ones are ~130 bytes; the large sizes show
 * what an oversized pass-through body costs).
 */
public final class RpcBodies {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String JOB_ID = "65a1b2c3d4e5f60718293a4b";

    private RpcBodies() {}

    /** A body of {@code call} ("check_job_canceled" or "run_job") of at least {@code bytes} bytes. */
    public static byte[] of(String call, int bytes) {
        return switch (call) {
            case "check_job_canceled" -> grow(bytes, (job, inputs) -> {
                job.put("job_id", JOB_ID);
                if (inputs != null) {
                    job.set("inputs", inputs);
                }
                return envelope("check_job_canceled", job);
            });
            case "run_job" -> grow(bytes, (job, inputs) -> {
                job.put("method", "kb_Bowtie2.align_reads_to_assembly_app");
                job.put("app_id", "kb_Bowtie2/align_reads_to_assembly_app");
                ObjectNode appParams = job.putArray("params").addObject();
                if (inputs != null) {
                    appParams.set("input_refs", inputs);
                }
                job.put("wsid", 42);
                job.put("parent_job_id", JOB_ID);
                return envelope("run_job", job);
            });
            default -> throw new IllegalArgumentException("no body for " + call);
        };
    }

    private interface Shape {
        ObjectNode build(ObjectNode job, ArrayNode inputs);
    }

    /** Adds input objects until the body reaches the size. */
    private static byte[] grow(int bytes, Shape shape) {
        byte[] body = render(shape.build(JSON.createObjectNode(), null));
        if (body.length >= bytes) {
            return body;
        }
        ArrayNode inputs = JSON.createArrayNode();
        int i = 0;
        while (body.length < bytes) {
            // Grow in steps of ~1% so big bodies are built in a few hundred renders, not thousands.
            int step = Math.max(1, (bytes - body.length) / 100 / 2);
            for (int k = 0; k < step; k++, i++) {
                inputs.addObject()
                        .put("ref", "42/" + i + "/1")
                        .put("name", "reads_sample_" + i + ".fastq")
                        .put("size", 1_000_000L + i * 7919L)
                        .put("quality", 0.93);
            }
            body = render(shape.build(JSON.createObjectNode(), inputs));
        }
        return body;
    }

    private static byte[] render(ObjectNode params) {
        return params.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode envelope(String method, ObjectNode job) {
        ObjectNode call = JSON.createObjectNode();
        call.put("method", "execution_engine2." + method);
        call.putArray("params").add(job);
        call.put("version", "1.1");
        call.put("id", "7364829105");
        return call;
    }
}
