package us.kbase.ee2proxy.jsonrpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what job tracking needs out of EE2's replies: the jobs a call created or retried, the
 * states check_* calls report, and whether EE2 provably refused the call or provably succeeded
 * (else the answer is inconclusive: see {@link Ee2Reply.Inconclusive}). Streaming: everything else in a
 * reply (job inputs, logs, outputs) is skipped without being built.
 *
 * <p>Jackson suffices here, unlike for requests: EE2's replies are {@code json.dumps} output,
 * always well-formed, and only {@code NaN}/{@code Infinity} (allowed) go beyond strict JSON.
 * Stateless and thread-safe; never moves the buffer's reader index.
 */
public final class Ee2ReplyReader {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // Job inputs are users' data: no limit of Jackson's may reject a reply EE2 sent.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(100_000)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .build();

    /** Reads ids as trees, to compare a reply's {@code id} with the call's by value. */
    private static final ObjectMapper IDS = JsonMapper.builder(JSON).build();

    private static final Ee2Reply SUCCEEDED = new Ee2Reply.Succeeded();

    private Ee2ReplyReader() {}

    /**
     * Reads EE2's reply to {@code call}. Only a 200 with a result for the call's id is a success,
     * and only a 500 with an error object for the call's id is a refusal ({@link Ee2Reply.Refused});
     * anything else is {@link Ee2Reply.Inconclusive}: EE2 echoes the id of every call it answers
     * (a call with a null id gets an empty 200), and nothing in front of EE2 knows it.
     *
     * @param call the request as the sniffer read it (its method says how to read the result;
     *     get_job_status's reply names no job, so the request's job id is used)
     * @param httpStatus the reply's HTTP status
     * @param body the reply body; its reader index is left as it was
     */
    public static Ee2Reply read(SniffResult.Call call, int httpStatus, ByteBuf body) {
        Ee2Reply unread = unreadable(httpStatus, body.readableBytes());
        if (unread != null) {
            return unread;
        }
        try (JsonParser parser = body.hasArray()
                ? JSON.createParser(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes())
                : JSON.createParser((InputStream) new ByteBufInputStream(body.duplicate()))) {
            return read(call, httpStatus, parser);
        } catch (JsonProcessingException e) {
            return new Ee2Reply.Inconclusive("unreadable reply: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new Ee2Reply.Inconclusive("unreadable reply: " + e.getMessage());
        }
    }

    /** As {@link #read(SniffResult.Call, int, ByteBuf)} for a reply held in an array. */
    public static Ee2Reply read(SniffResult.Call call, int httpStatus, byte[] body) {
        Ee2Reply unread = unreadable(httpStatus, body.length);
        if (unread != null) {
            return unread;
        }
        try (JsonParser parser = JSON.createParser(body)) {
            return read(call, httpStatus, parser);
        } catch (JsonProcessingException e) {
            return new Ee2Reply.Inconclusive("unreadable reply: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new Ee2Reply.Inconclusive("unreadable reply: " + e.getMessage());
        }
    }

    /** The verdict on a reply that is not worth parsing, else null. */
    private static Ee2Reply unreadable(int httpStatus, int bodyBytes) {
        if (httpStatus != 200 && httpStatus != 500) {
            // EE2 answers 200 or 500 (a JSON-RPC error); anything else came from something in front.
            return new Ee2Reply.Inconclusive("HTTP " + httpStatus);
        }
        return bodyBytes == 0 ? new Ee2Reply.Inconclusive("HTTP " + httpStatus + " with an empty body") : null;
    }

    private static Ee2Reply read(SniffResult.Call call, int httpStatus, JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return new Ee2Reply.Inconclusive("not a JSON-RPC reply");
        }
        Ee2Reply result = null;
        boolean error = false;
        String errorCode = null;
        JsonNode id = MissingNode.getInstance();
        // Python's json.loads keeps the last of duplicate keys: so does this loop.
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "error" -> {
                    error = value != JsonToken.VALUE_NULL;
                    errorCode = error ? errorCode(p) : null;
                }
                case "result" -> result = value == JsonToken.START_ARRAY ? result(call, p) : skip(p);
                case "id" -> id = readId(p);
                default -> p.skipChildren();
            }
        }
        boolean forThisCall = id.equals(callId(call));
        if (httpStatus == 500) {
            if (errorCode != null && forThisCall) {
                return new Ee2Reply.Refused("error " + errorCode);
            }
            return new Ee2Reply.Inconclusive(!error ? "HTTP 500 without an error object"
                    : forThisCall ? "an error object not shaped like EE2's" : "an error object for another id");
        }
        if (error || result == null) {
            return new Ee2Reply.Inconclusive(error ? "HTTP 200 with an error object" : "no result");
        }
        return forThisCall ? result : new Ee2Reply.Inconclusive("a reply for another id");
    }

    /** The value at the parser (consumed). */
    private static JsonNode readId(JsonParser p) throws IOException {
        JsonNode id = IDS.readTree(p);
        return id == null ? NullNode.getInstance() : id;
    }

    /** The call's id as EE2 parsed it (absent: missing). */
    private static JsonNode callId(SniffResult.Call call) throws IOException {
        String idJson = call.envelope().idJson();
        return idJson == null ? MissingNode.getInstance() : IDS.readTree(idJson);
    }

    /** Reads the one-element result list; positioned on its START_ARRAY, leaves it consumed. */
    private static Ee2Reply result(SniffResult.Call call, JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first == JsonToken.END_ARRAY) {
            return SUCCEEDED;
        }
        Ee2Reply reply = switch (call.method()) {
            case RUN_JOB, RUN_JOB_CONCIERGE -> first == JsonToken.VALUE_STRING
                    ? new Ee2Reply.JobsCreated(null, List.of(p.getText()))
                    : skip(p);
            case RUN_JOB_BATCH -> batch(p);
            case RETRY_JOB -> first == JsonToken.START_OBJECT ? new Ee2Reply.JobsRetried(List.of(retry(p))) : skip(p);
            case RETRY_JOBS -> retries(p);
            case CHECK_JOB -> first == JsonToken.START_OBJECT ? new Ee2Reply.JobStates(List.of(jobState(p, null))) : skip(p);
            case CHECK_JOB_CANCELED -> first == JsonToken.START_OBJECT ? canceled(p) : skip(p);
            case GET_JOB_STATUS -> first == JsonToken.START_OBJECT ? status(call, p) : skip(p);
            default -> first == JsonToken.START_OBJECT ? stateCollection(call.method(), p) : skip(p);
        };
        // The rest of the list (there is none in EE2's replies).
        while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
        }
        return reply;
    }

    /** {@code {batch_id, child_job_ids}}. */
    private static Ee2Reply batch(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return skip(p);
        }
        String batchId = null;
        List<String> children = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("batch_id".equals(name) && value == JsonToken.VALUE_STRING) {
                batchId = p.getText();
            } else if ("child_job_ids".equals(name) && value == JsonToken.START_ARRAY) {
                children = strings(p);
            } else {
                p.skipChildren();
            }
        }
        return new Ee2Reply.JobsCreated(batchId, children);
    }

    private static Ee2Reply retries(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            return skip(p);
        }
        List<Ee2Reply.Retry> retries = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.START_OBJECT) {
                retries.add(retry(p));
            } else {
                p.skipChildren();
            }
        }
        return new Ee2Reply.JobsRetried(retries);
    }

    /** {@code {job_id, retry_id}} or {@code {job_id, error}}. */
    private static Ee2Reply.Retry retry(JsonParser p) throws IOException {
        String jobId = null;
        String retryId = null;
        String error = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            String text = value == JsonToken.VALUE_STRING ? p.getText() : null;
            switch (name) {
                case "job_id" -> jobId = text;
                case "retry_id" -> retryId = text;
                case "error" -> error = text != null || value == JsonToken.VALUE_NULL ? text : "error";
                default -> { }
            }
            if (value.isStructStart()) {
                p.skipChildren();
            }
        }
        return new Ee2Reply.Retry(jobId, retryId, error);
    }

    /**
     * The JobStates of check_jobs and check_workspace_jobs ({@code {job_states: [...]}} or the
     * narrative's {@code {job_id: JobState}} map), check_job_batch ({@code batch_jobstate},
     * {@code child_jobstates}) and check_jobs_date_range_* ({@code jobs}).
     */
    private static Ee2Reply stateCollection(Ee2Method method, JsonParser p) throws IOException {
        boolean mapForm = method == Ee2Method.CHECK_JOBS || method == Ee2Method.CHECK_WORKSPACE_JOBS;
        List<Ee2Reply.JobState> states = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            boolean listOfStates = "job_states".equals(name) || "child_jobstates".equals(name) || "jobs".equals(name);
            if (value == JsonToken.START_ARRAY && listOfStates) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() == JsonToken.START_OBJECT) {
                        states.add(jobState(p, null));
                    } else {
                        p.skipChildren();
                    }
                }
            } else if (value == JsonToken.START_OBJECT && "batch_jobstate".equals(name)) {
                states.add(jobState(p, null));
            } else if (value == JsonToken.START_OBJECT && mapForm) {
                // One entry of the narrative's {job_id: JobState} form.
                states.add(jobState(p, name));
            } else {
                p.skipChildren();
            }
        }
        return new Ee2Reply.JobStates(states);
    }

    /** A JobState object; {@code keyJobId} is the map key it was found under, if any. */
    private static Ee2Reply.JobState jobState(JsonParser p, String keyJobId) throws IOException {
        String jobId = null;
        String status = null;
        String user = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_STRING) {
                switch (name) {
                    case "job_id" -> jobId = p.getText();
                    case "status" -> status = p.getText();
                    case "user" -> user = p.getText();
                    default -> { }
                }
            } else {
                p.skipChildren();
            }
        }
        return Ee2Reply.JobState.of(jobId != null ? jobId : keyJobId, status, user);
    }

    /** {@code {job_id, canceled, finished}}. */
    private static Ee2Reply canceled(JsonParser p) throws IOException {
        String jobId = null;
        boolean canceled = false;
        boolean finished = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "job_id" -> jobId = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "canceled" -> canceled = value == JsonToken.VALUE_TRUE;
                case "finished" -> finished = value == JsonToken.VALUE_TRUE;
                default -> p.skipChildren();
            }
        }
        return new Ee2Reply.JobStates(List.of(
                new Ee2Reply.JobState(jobId, canceled ? "terminated" : null, null, finished || canceled)));
    }

    /** {@code {status}}: the job is the one the request named. */
    private static Ee2Reply status(SniffResult.Call call, JsonParser p) throws IOException {
        String status = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("status".equals(name) && value == JsonToken.VALUE_STRING) {
                status = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return new Ee2Reply.JobStates(List.of(Ee2Reply.JobState.of(call.jobId(), status, null)));
    }

    private static List<String> strings(JsonParser p) throws IOException {
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                out.add(p.getText());
            } else {
                p.skipChildren();
            }
        }
        return out;
    }

    /** The numeric {@code code} of an EE2-shaped error object, else null (the value is consumed). */
    private static String errorCode(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String code = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if ("code".equals(name)) {
                code = p.currentToken().isNumeric() ? p.getText() : null;
            }
            p.skipChildren();
        }
        return code;
    }

    /** Skips a result of an unexpected shape: EE2 succeeded, but there is nothing to track. */
    private static Ee2Reply skip(JsonParser p) throws IOException {
        p.skipChildren();
        return SUCCEEDED;
    }
}
