package us.kbase.ee2proxy.oracle;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Well-formed EE2 request bodies, as the KBase clients write them (Python's json.dumps). */
final class Bodies {
    private static final AtomicLong IDS = new AtomicLong(1000);

    private Bodies() {}

    /** {@code {"method": ..., "params": [...], "version": "1.1", "id": "..."}}. */
    static Js.Obj envelope(String method, List<Object> params) {
        return Js.obj("method", method, "params", params, "version", "1.1", "id", Long.toString(IDS.incrementAndGet()));
    }

    static Js.Obj call(String shortName, Object... params) {
        return envelope("execution_engine2." + shortName, Js.list(params));
    }

    /** RunJobParams as the narrative sends them. */
    static Js.Obj job(String method, String appId) {
        Js.Obj p = Js.obj("method", method);
        if (appId != null) {
            p.put("app_id", appId);
        }
        p.put("params", Js.list(Js.obj("workspace_name", "ws_42", "read_lib", "reads/1")));
        p.put("service_ver", "release");
        p.put("wsid", 42);
        return p;
    }

    /** A narrative app: app_id is the method with a slash. */
    static Js.Obj app(String method) {
        return job(method, method.replace('.', '/'));
    }

    static byte[] runJob(Js.Obj params) {
        return Js.bytes(call("run_job", params));
    }

    static byte[] jobIdCall(String shortName, String jobId) {
        return Js.bytes(call(shortName, Js.obj("job_id", jobId)));
    }

    /** finish_job as a job runner sends it for a job that worked. */
    static Js.Obj finishedOk(String jobId) {
        return Js.obj("job_id", jobId, "job_output",
                Js.obj("version", "1.1", "id", "5f3e3d3c3b3a393837363534", "result", Js.list(Js.obj("report_ref", "1/2/3"))));
    }

    /** finish_job as a job runner sends it for a job that failed. */
    static Js.Obj finishedWithError(String jobId) {
        return Js.obj("job_id", jobId, "error_message", "the app raised an exception", "error_code", 1,
                "error", Js.obj("code", -32000, "name", "Server error", "message", "boom", "error", "Traceback..."));
    }
}
