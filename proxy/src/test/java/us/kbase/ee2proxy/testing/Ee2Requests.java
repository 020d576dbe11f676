package us.kbase.ee2proxy.testing;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generates EE2 request bodies the way many clients could write them: all 28 methods with
 * plausible params, every token situation, both envelopes, ids of every JSON type, reordered
 * keys and odd whitespace, plus the bodies Python reads in surprising ways (NaN, duplicate keys,
 * UTF-16/32, a UTF-8 BOM, empty, garbage, arrays, methods without one dot, huge).
 *
 * <p>A case's body is made separately for each side of a comparison, because calls that change
 * a job need a job of their own on each side ({@code freshJob}).
 */
public final class Ee2Requests {
    public static final String USER_TOKEN = "tok-alice";
    public static final String ADMIN_TOKEN = "tok-admin";
    public static final String BAD_TOKEN = "tok-not-a-token";

    /** One generated request: a label for failure messages, a header line set, and its body. */
    public record Case(String label, List<String> headers, Supplier<byte[]> body) {}

    private static final String[] METHODS = {
        "run_job", "run_job_batch", "run_job_concierge", "retry_job", "retry_jobs",
        "check_job", "check_jobs", "check_job_batch", "check_workspace_jobs", "check_job_canceled",
        "get_job_status", "check_jobs_date_range_for_user", "check_jobs_date_range_for_all", "get_job_logs",
        "get_job_params", "start_job", "update_job_status", "add_job_logs", "finish_job", "cancel_job",
        "abandon_children", "is_admin", "get_admin_permission", "handle_held_job", "ver", "status",
        "list_config", "get_client_groups",
    };

    private static final String FRESH = "@FRESH@";
    private static final String SHARED = "@SHARED@";

    private final Random random;
    private final Supplier<String> sharedJob;
    private final Supplier<String> freshJob;

    /**
     * @param sharedJob an existing job that reads may look at (both sides see the same one)
     * @param freshJob a new queued job of the user's, for calls that change a job
     */
    public Ee2Requests(long seed, Supplier<String> sharedJob, Supplier<String> freshJob) {
        this.random = new Random(seed);
        this.sharedJob = sharedJob;
        this.freshJob = freshJob;
    }

    public static List<String> methods() {
        return List.of(METHODS);
    }

    /** {@code perMethod} well-formed calls of every method, in random token/envelope/id/layout variants. */
    public List<Case> calls(int perMethod) {
        List<Case> cases = new ArrayList<>();
        for (String method : METHODS) {
            for (int i = 0; i < perMethod; i++) {
                String token = pick(USER_TOKEN, USER_TOKEN, USER_TOKEN, ADMIN_TOKEN, BAD_TOKEN, null);
                String envelope = pick("\"version\": \"1.1\"", "\"version\": \"1.1\"", "\"jsonrpc\": \"2.0\"", "\"version\": \"1.0\"", null);
                String id = pick("\"" + random.nextInt(1_000_000) + "\"", String.valueOf(random.nextInt(1000)), "1.5", "null",
                        "\"caf\u00e9\"");
                boolean wrongArity = random.nextInt(12) == 0;
                boolean reorder = random.nextBoolean();
                String ws = pick("", " ", "\n\t ");
                List<String> headers = token == null ? List.of() : List.of("Authorization: " + token);
                String label = method + " token=" + token + " env=" + envelope + " id=" + id + (wrongArity ? " wrong-arity" : "");
                List<String> members = new ArrayList<>(List.of(
                        "\"method\":" + ws + "\"execution_engine2." + method + "\"",
                        "\"params\": " + (wrongArity ? "[]" : params(method)), "\"id\": " + id));
                if (envelope != null) {
                    members.add(envelope);
                }
                if (reorder) {
                    Collections.reverse(members);
                }
                String template = ws + "{" + String.join("," + ws, members) + "}" + ws;
                cases.add(new Case(label, headers, () -> resolve(template).getBytes(StandardCharsets.UTF_8)));
            }
        }
        return cases;
    }

    /** Bodies Python's json.loads reads in ways a naive parser would not. */
    public List<Case> oddBodies() {
        List<Case> cases = new ArrayList<>();
        List<String> auth = List.of("Authorization: " + USER_TOKEN);
        String ver = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"version\": \"1.1\", \"id\": \"1\"}";
        String checkNaN = "{\"method\": \"execution_engine2.check_job\", \"params\": [{\"job_id\": NaN}], \"version\": \"1.1\", \"id\": \"2\"}";
        add(cases, "NaN in params", auth, checkNaN);
        add(cases, "Infinity id", auth, "{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": -Infinity}");
        add(cases, "duplicate method: last wins (run_job)", auth,
                "{\"method\": \"execution_engine2.ver\", \"params\": [" + runJobParams() + "], \"id\": \"3\", \"method\": \"execution_engine2.run_job\"}");
        add(cases, "duplicate method: last wins (ver)", auth,
                "{\"method\": \"execution_engine2.run_job\", \"params\": [], \"id\": \"4\", \"method\": \"execution_engine2.ver\"}");
        add(cases, "duplicate id", auth, "{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": 1, \"id\": \"two\"}");
        for (Charset cs : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, Charset.forName("UTF-32LE"),
                Charset.forName("UTF-32BE"), StandardCharsets.UTF_16)) {
            cases.add(new Case("encoding " + cs, auth, () -> ver.getBytes(cs)));
            cases.add(new Case("encoding " + cs + " run_job", auth, () -> runJob("5").getBytes(cs)));
        }
        cases.add(new Case("UTF-8 BOM", auth, () -> concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                ver.getBytes(StandardCharsets.UTF_8))));
        cases.add(new Case("invalid UTF-8", auth, () -> concat(ver.substring(0, 30).getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xC3, (byte) 0x28}, ver.substring(30).getBytes(StandardCharsets.UTF_8))));
        add(cases, "empty body", auth, "");
        add(cases, "whitespace only", auth, " \n\t");
        add(cases, "garbage", auth, "hello");
        add(cases, "truncated", auth, ver.substring(0, ver.length() - 5));
        add(cases, "extra data", auth, ver + " {}");
        add(cases, "trailing comma", auth, "{\"method\": \"execution_engine2.ver\", \"params\": [],}");
        add(cases, "single quotes", auth, "{'method': 'execution_engine2.ver'}");
        add(cases, "control char in string", auth, "{\"method\": \"execution_engine2.v\ter\", \"params\": [], \"id\": 1}");
        add(cases, "leading zero number", auth, "{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": 01}");
        add(cases, "big integer id", auth, "{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": 123456789012345678901234567890}");
        add(cases, "escaped method name", auth, "{\"method\": \"execution_engine2.\\u0076er\", \"params\": [], \"id\": 1}");
        add(cases, "lone surrogate", auth, "{\"method\": \"execution_engine2.ver\", \"params\": [\"\\ud800\"], \"id\": 1}");
        add(cases, "JSON-RPC batch array", auth, "[" + ver + "]");
        add(cases, "scalar", auth, "42");
        add(cases, "null", auth, "null");
        add(cases, "no method", auth, "{\"params\": [], \"id\": 1}");
        add(cases, "method not a string", auth, "{\"method\": 7, \"params\": [], \"id\": 1}");
        add(cases, "method without a dot", auth, "{\"method\": \"ver\", \"params\": [], \"id\": 1}");
        add(cases, "method with two dots", auth, "{\"method\": \"a.b.c\", \"params\": [], \"id\": 1}");
        add(cases, "unknown module", auth, "{\"method\": \"kb_Bowtie2.align\", \"params\": [], \"id\": 1}");
        add(cases, "unknown method", auth, "{\"method\": \"execution_engine2.run_jobs\", \"params\": [], \"id\": 1}");
        add(cases, "no id", auth, "{\"method\": \"execution_engine2.ver\", \"params\": []}");
        add(cases, "no params", auth, "{\"method\": \"execution_engine2.ver\", \"id\": 1}");
        add(cases, "params an object", auth, "{\"method\": \"execution_engine2.check_job\", \"params\": {\"job_id\": \"x\"}, \"id\": 1}");
        add(cases, "run_job params not an object", auth, "{\"method\": \"execution_engine2.run_job\", \"params\": [\"x\"], \"id\": 1}");
        add(cases, "as_admin string false", auth, "{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\": \"kb_uploadmethods.upload\", "
                + "\"as_admin\": \"false\", \"job_requirements\": {\"ignore_concurrency_limits\": \"false\"}}], \"id\": 1}");
        add(cases, "deeply nested params", auth, "{\"method\": \"execution_engine2.check_job\", \"params\": [" + "[".repeat(200)
                + "]".repeat(200) + "], \"id\": 1}");
        String huge = "{\"method\": \"execution_engine2.add_job_logs\", \"params\": [{\"job_id\": \""
                + FRESH + "\"}, [" + "{\"line\": \"" + "x".repeat(1000) + "\", \"is_error\": 0}, ".repeat(1000)
                + "{\"line\": \"end\"}]], \"version\": \"1.1\", \"id\": \"huge\"}";
        cases.add(new Case("huge add_job_logs (1 MiB)", auth, () -> resolve(huge).getBytes(StandardCharsets.UTF_8)));
        return cases;
    }

    /** Fills in the job placeholders for one side: every FRESH is a new job, SHARED the shared one. */
    private String resolve(String template) {
        String out = template.replace(SHARED, sharedJob.get());
        while (out.contains(FRESH)) {
            out = out.replaceFirst(FRESH, freshJob.get());
        }
        return out;
    }

    private void add(List<Case> cases, String label, List<String> headers, String body) {
        cases.add(new Case(label, headers, () -> body.getBytes(StandardCharsets.UTF_8)));
    }

    private String runJob(String id) {
        return "{\"method\": \"execution_engine2.run_job\", \"params\": [" + runJobParams() + "], \"version\": \"1.1\", \"id\": \"" + id + "\"}";
    }

    private String runJobParams() {
        return "{\"method\": \"kb_uploadmethods.upload_fastq\", \"app_id\": \"kb_uploadmethods/upload_fastq\", \"params\": [{}], \"wsid\": 42}";
    }

    private String params(String method) {
        String job = "\"" + SHARED + "\"";
        return switch (method) {
            case "run_job" -> "[" + runJobParams() + "]";
            case "run_job_concierge" -> "[" + runJobParams() + ", {\"request_cpus\": 2}]";
            case "run_job_batch" -> "[[" + runJobParams() + ", " + runJobParams() + "], {\"wsid\": 42}]";
            case "retry_job" -> "[{\"job_id\": \"" + FRESH + "\"}]";
            case "retry_jobs" -> "[{\"job_ids\": [\"" + FRESH + "\", " + job + "]}]";
            case "check_job", "check_job_canceled", "get_job_status", "get_job_params", "check_job_batch" ->
                    "[{\"job_id\": " + pick(job, job, "\"0123456789abcdef01234567\"", "\"nope\"") + "}]";
            case "check_jobs" -> "[{\"job_ids\": [" + job + "], \"return_list\": " + pick("0", "1") + "}]";
            case "check_workspace_jobs" -> "[{\"workspace_id\": 42}]";
            case "check_jobs_date_range_for_user", "check_jobs_date_range_for_all" ->
                    "[{\"start_time\": 0, \"end_time\": 9999999999999, \"user\": \"alice\"}]";
            case "get_job_logs" -> "[{\"job_id\": " + job + ", \"skip_lines\": 0}]";
            case "start_job", "cancel_job", "abandon_children" -> "[{\"job_id\": \"" + FRESH + "\"}]";
            case "update_job_status" -> "[{\"job_id\": \"" + FRESH + "\", \"status\": \"" + pick("running", "completed", "bogus") + "\"}]";
            case "add_job_logs" -> "[{\"job_id\": \"" + FRESH + "\"}, [{\"line\": \"hello\", \"is_error\": 0}]]";
            case "finish_job" -> "[{\"job_id\": \"" + FRESH + "\", \"job_output\": {\"result\": [1]}}]";
            case "handle_held_job" -> "[\"cluster-1\"]";
            default -> "[]";
        };
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
