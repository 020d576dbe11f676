package us.kbase.ee2proxy.jsonrpc;

import java.util.List;
import java.util.Objects;
import us.kbase.ee2proxy.policy.request.JobCreation;

/**
 * What {@link JsonRpcSniffer} found in a request body, judged as EE2 (Python's
 * {@code json.loads}, then its WSGI handler) would judge it.
 */
public sealed interface SniffResult {

    /**
     * A single JSON-RPC call EE2 dispatches by its method name (it answers -32601 for an
     * {@link Ee2Method#UNKNOWN} one).
     *
     * @param method the EE2 method, {@link Ee2Method#UNKNOWN} for any other name
     * @param methodName the name as sent (one dot, by construction)
     * @param envelope what EE2 echoes in an error reply
     * @param creation for a job-creating method whose params EE2 can turn into jobs, what admission
     *     reads; null otherwise. A job-creating method with a null creation has params EE2 cannot
     *     run (not a list, first argument not an object, ...): EE2 answers an error and creates
     *     nothing.
     * @param jobIds for lifecycle and status methods, every job id named in the params
     *     ({@code job_id}, {@code job_ids}, or a bare string first argument); else empty. Ids a
     *     caller merely names: nothing is ever freed for them
     * @param jobId for lifecycle and status methods, the string {@code job_id} of the first
     *     argument: the one job EE2's finish_job, cancel_job, update_job_status, check_job and
     *     get_job_status act on; else null
     * @param status for {@code update_job_status}, the {@code status} string sent; for
     *     {@code finish_job}, the status EE2 gives the job when it accepts the call ({@code error}
     *     when {@code error_message} is truthy, else {@code completed}); else null
     */
    record Call(
            Ee2Method method,
            String methodName,
            RpcEnvelope envelope,
            JobCreation creation,
            List<String> jobIds,
            String jobId,
            String status)
            implements SniffResult {
        public Call {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(methodName, "methodName");
            Objects.requireNonNull(envelope, "envelope");
            jobIds = List.copyOf(jobIds);
        }

        /** A job-creating method whose params EE2 cannot turn into a job (see {@link #creation}). */
        public boolean unreadableCreation() {
            return method.createsJobs() && creation == null;
        }
    }

    /**
     * Python's {@code json.loads} raises a ValueError on this body (a JSON syntax error, a bad
     * encoding, an integer of more than 4300 digits): EE2 answers HTTP 500 with its -32700
     * "Parse error" object carrying {@code message}.
     *
     * @param message {@code str(ValueError)} as Python renders it, e.g. "Expecting value: line 1
     *     column 1 (char 0)"
     */
    record ParseError(String message) implements SniffResult {
        public ParseError {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Valid JSON that EE2 never dispatches: its handler crashes on it before any method runs
     * (HTTP 500, non-JSON body), so it creates nothing and can pass through unchanged.
     *
     * @param reason what is wrong
     * @param methodName the {@code method} string when there is one (for metrics), else null
     */
    record NotACall(Reason reason, String methodName) implements SniffResult {
        public NotACall {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why a JSON body is not a call EE2 dispatches. */
    enum Reason {
        /** An array (a JSON-RPC batch), a string, a number, ...: EE2 crashes on {@code req['method']}. */
        NOT_AN_OBJECT,
        NO_METHOD,
        METHOD_NOT_A_STRING,
        /** EE2 unpacks {@code method.split('.')} into exactly two names. */
        METHOD_WITHOUT_ONE_DOT,
        NO_ID,
        NO_PARAMS
    }
}
