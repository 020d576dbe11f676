package us.kbase.ee2proxy.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The 28 methods EE2 serves (EE2-PROTOCOL.md), by the group that tells the proxy what to do with
 * them. The JSON-RPC name is {@code execution_engine2.<wire name>}; any other name, including
 * another module's, is {@link #UNKNOWN} (EE2 answers -32601 and does nothing).
 */
public enum Ee2Method {
    RUN_JOB("run_job", Group.CREATE, true),
    RUN_JOB_BATCH("run_job_batch", Group.CREATE, true),
    RUN_JOB_CONCIERGE("run_job_concierge", Group.CREATE, true),
    RETRY_JOB("retry_job", Group.CREATE, true),
    RETRY_JOBS("retry_jobs", Group.CREATE, true),

    CHECK_JOB("check_job", Group.STATUS, true),
    CHECK_JOBS("check_jobs", Group.STATUS, true),
    CHECK_JOB_BATCH("check_job_batch", Group.STATUS, true),
    CHECK_WORKSPACE_JOBS("check_workspace_jobs", Group.STATUS, true),
    CHECK_JOB_CANCELED("check_job_canceled", Group.STATUS, true),
    GET_JOB_STATUS("get_job_status", Group.STATUS, true),
    CHECK_JOBS_DATE_RANGE_FOR_USER("check_jobs_date_range_for_user", Group.STATUS, true),
    CHECK_JOBS_DATE_RANGE_FOR_ALL("check_jobs_date_range_for_all", Group.STATUS, true),
    GET_JOB_LOGS("get_job_logs", Group.STATUS, false),
    GET_JOB_PARAMS("get_job_params", Group.STATUS, false),

    START_JOB("start_job", Group.LIFECYCLE, false),
    UPDATE_JOB_STATUS("update_job_status", Group.LIFECYCLE, false),
    ADD_JOB_LOGS("add_job_logs", Group.LIFECYCLE, false),
    FINISH_JOB("finish_job", Group.LIFECYCLE, false),
    CANCEL_JOB("cancel_job", Group.LIFECYCLE, false),

    ABANDON_CHILDREN("abandon_children", Group.OTHER, false),
    IS_ADMIN("is_admin", Group.OTHER, false),
    GET_ADMIN_PERMISSION("get_admin_permission", Group.OTHER, false),
    HANDLE_HELD_JOB("handle_held_job", Group.OTHER, false),
    VER("ver", Group.OTHER, false),
    STATUS("status", Group.OTHER, false),
    LIST_CONFIG("list_config", Group.OTHER, false),
    GET_CLIENT_GROUPS("get_client_groups", Group.OTHER, false),

    /** Any name that is not one of the above: passes through, EE2 answers "Method not found". */
    UNKNOWN(null, Group.OTHER, false);

    /** What a method means for admission and job tracking. */
    public enum Group {
        /** Creates jobs: the only calls admission decides on. */
        CREATE,
        /** Reads jobs; the replies of most reveal job states. */
        STATUS,
        /** The job runner's (and cancel's) calls that move a job through its states. */
        LIFECYCLE,
        OTHER
    }

    public static final String MODULE_PREFIX = "execution_engine2.";

    private static final Map<String, Ee2Method> BY_NAME = new HashMap<>();
    private static final Ee2Method[] KNOWN;

    static {
        for (Ee2Method m : values()) {
            if (m != UNKNOWN) {
                BY_NAME.put(m.jsonRpcName, m);
            }
        }
        KNOWN = Arrays.stream(values()).filter(m -> m != UNKNOWN).toArray(Ee2Method[]::new);
    }

    private final String wireName;
    private final String jsonRpcName;
    private final byte[] jsonRpcNameBytes;
    private final Group group;
    private final boolean replyTracked;

    Ee2Method(String wireName, Group group, boolean replyTracked) {
        this.wireName = wireName;
        this.jsonRpcName = wireName == null ? null : MODULE_PREFIX + wireName;
        this.jsonRpcNameBytes =
                jsonRpcName == null ? null : jsonRpcName.getBytes(StandardCharsets.US_ASCII);
        this.group = group;
        this.replyTracked = replyTracked;
    }

    /** The name after the module ("run_job"); null for {@link #UNKNOWN}. */
    public String wireName() {
        return wireName;
    }

    /** The full JSON-RPC method name ("execution_engine2.run_job"); null for {@link #UNKNOWN}. */
    public String jsonRpcName() {
        return jsonRpcName;
    }

    public Group group() {
        return group;
    }

    /** run_job, run_job_batch, run_job_concierge, retry_job, retry_jobs. */
    public boolean createsJobs() {
        return group == Group.CREATE;
    }

    /** start_job, update_job_status, add_job_logs, finish_job, cancel_job. */
    public boolean isLifecycle() {
        return group == Group.LIFECYCLE;
    }

    /** The read-status group of EE2-PROTOCOL.md (check_*, get_job_status, get_job_logs, ...). */
    public boolean readsStatus() {
        return group == Group.STATUS;
    }

    /**
     * Whether job tracking reads this method's replies: the job ids of the job-creating ones,
     * the job states of check_* and get_job_status.
     */
    public boolean replyTracked() {
        return replyTracked;
    }

    /** The method for a full JSON-RPC name, {@link #UNKNOWN} for anything else (never null). */
    public static Ee2Method ofJsonRpcName(String name) {
        Ee2Method m = name == null ? null : BY_NAME.get(name);
        return m == null ? UNKNOWN : m;
    }

    /**
     * As {@link #ofJsonRpcName(String)} for a name held as plain ASCII bytes (no JSON escapes),
     * without building a String: the sniffer's path for every request.
     */
    static Ee2Method ofJsonRpcName(byte[] text, int from, int to) {
        int length = to - from;
        for (Ee2Method m : KNOWN) {
            byte[] name = m.jsonRpcNameBytes;
            if (name.length == length && Arrays.equals(name, 0, length, text, from, to)) {
                return m;
            }
        }
        return UNKNOWN;
    }
}
