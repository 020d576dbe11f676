package us.kbase.ee2proxy.frontend;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.time.Duration;
import us.kbase.ee2proxy.admission.AdmissionReplies;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;
import us.kbase.ee2proxy.metrics.ErrorKind;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * The words of the proxy's own errors. Each says what happened, whether the job could have been
 * submitted, and what the person reading it can do, because it reaches a scientist through the
 * KBase client as a ServerError message.
 */
final class ProxyReplies {
    private static final String NOT_SENT = " The request was not sent to Execution Engine 2, so no job was submitted.";
    private static final String MAYBE_SENT = " The request had already been sent: if it submitted a job, that job may exist;"
            + " check your jobs before submitting again.";

    /**
     * When to try again after a full body budget: bodies are given back as their calls are answered,
     * or at the latest at the request deadline, so a few seconds usually finds room.
     */
    private static final String RETRY_AFTER_SECONDS = "5";

    private final String upstream;
    private final ProxyConfig config;

    ProxyReplies(ProxyConfig config) {
        this.config = config;
        this.upstream = config.upstream().url().toString();
    }

    /** A reply together with the metric it counts under. */
    record Reply(ErrorKind kind, Ee2ErrorReply reply) {}

    Reply upstreamFailed(UpstreamFailure failure) {
        return switch (failure.kind()) {
            case UNREACHABLE -> new Reply(ErrorKind.UPSTREAM_UNREACHABLE, Ee2ErrorReply.serverError(
                    "ee2-admission-proxy could not reach Execution Engine 2 at " + upstream + ": " + failure.detail() + "."
                            + NOT_SENT + " Try again in a minute; if this persists, tell the KBase operators."));
            case TIMEOUT -> new Reply(ErrorKind.UPSTREAM_TIMEOUT, Ee2ErrorReply.serverError(
                    "Execution Engine 2 at " + upstream + " did not answer within " + seconds(config.timeouts().response())
                            + " (ee2-admission-proxy's timeouts.response)." + MAYBE_SENT
                            + " If this persists, tell the KBase operators."));
            case CLOSED -> new Reply(ErrorKind.UPSTREAM_CLOSED, Ee2ErrorReply.serverError(
                    "Execution Engine 2 at " + upstream + " closed the connection before answering (" + failure.detail() + ")."
                            + MAYBE_SENT + " Try again in a minute."));
            case RESPONSE_TOO_LARGE -> new Reply(ErrorKind.UPSTREAM_RESPONSE_TOO_LARGE, Ee2ErrorReply.serverError(
                    "Execution Engine 2's answer was larger than ee2-admission-proxy's limit of "
                            + config.limits().maxResponseBytes() + " bytes (limits.maxResponseBytes). Ask for less at once"
                            + " (fewer jobs or log lines per call), or ask the KBase operators to raise the limit."));
            case BAD_RESPONSE -> new Reply(ErrorKind.UPSTREAM_BAD_RESPONSE, Ee2ErrorReply.serverError(
                    "Execution Engine 2 at " + upstream + " sent an answer that is not valid HTTP (" + failure.detail() + ")."
                            + MAYBE_SENT + " Tell the KBase operators if this persists."));
            case POOL_EXHAUSTED -> new Reply(ErrorKind.UPSTREAM_BUSY, Ee2ErrorReply.serverError(
                    "ee2-admission-proxy is overloaded: every connection to Execution Engine 2 is busy and the list of"
                            + " requests waiting for one is full (" + failure.detail() + "; upstream.maxWaitingPerLoop)."
                            + NOT_SENT + " Try again in a minute."));
            case WAIT_TIMEOUT -> new Reply(ErrorKind.UPSTREAM_WAIT_TIMEOUT, Ee2ErrorReply.serverError(
                    "ee2-admission-proxy waited " + seconds(config.timeouts().response()) + " (timeouts.response) for one of"
                            + " its connections to Execution Engine 2 to come free, and every one stayed busy with other"
                            + " requests." + NOT_SENT + " Try again in a minute; if this persists, tell the KBase operators."));
        };
    }

    /** A request the HTTP decoder, a size limit or a {@link Refusal} stopped before it was read whole. */
    Reply unreadable(Throwable cause) {
        if (cause instanceof Refusal refusal) {
            return refused(refusal);
        }
        if (cause instanceof TooLongHttpContentException || cause instanceof BodyTooLargeException) {
            return new Reply(ErrorKind.BODY_TOO_LARGE, Ee2ErrorReply.serverError(
                    "The request body is larger than ee2-admission-proxy's limit of " + config.limits().maxBodyBytes()
                            + " bytes (limits.maxBodyBytes)." + NOT_SENT
                            + " Send less at once (e.g. split a batch or the log lines), or ask the KBase operators to raise the limit."));
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongHttpLineException
                || cause instanceof TooLongFrameException) {
            return new Reply(ErrorKind.HEADERS_TOO_LARGE, Ee2ErrorReply.serverError(
                    "The request line or headers are larger than ee2-admission-proxy's limits (limits.maxInitialLineBytes "
                            + config.limits().maxInitialLineBytes() + ", limits.maxHeaderBytes " + config.limits().maxHeaderBytes()
                            + " bytes)." + NOT_SENT + " Send fewer or shorter headers."));
        }
        String detail = cause == null || cause.getMessage() == null ? "malformed HTTP" : cause.getMessage();
        return new Reply(ErrorKind.MALFORMED_REQUEST, Ee2ErrorReply.serverError(
                "ee2-admission-proxy could not read the HTTP request (" + detail + ")." + NOT_SENT
                        + " The client sent invalid HTTP/1.1; a KBase client never does, so check what sent it."));
    }

    /** A request the proxy answers itself, unsent, before reading it whole. */
    Reply refused(Refusal refusal) {
        return switch (refusal.kind()) {
            case METHOD_NOT_SERVED -> new Reply(ErrorKind.METHOD_NOT_SERVED, Ee2ErrorReply.serverError(
                    "ee2-admission-proxy sends only POST requests (Execution Engine 2's JSON-RPC calls) and OPTIONS requests"
                            + " (CORS) to Execution Engine 2, and this was a " + abbreviate(refusal.detail()) + " request."
                            + NOT_SENT + " Send JSON-RPC calls as POST requests with the call in the body."));
            case EXPECTATION_NOT_SUPPORTED -> new Reply(ErrorKind.EXPECTATION_NOT_SUPPORTED, Ee2ErrorReply.serverError(
                    "The request's header 'Expect: " + abbreviate(refusal.detail()) + "' asks for something ee2-admission-proxy"
                            + " does not support (it understands only 'Expect: 100-continue')." + NOT_SENT
                            + " Send it again without that header."));
            case PIPELINE_TOO_DEEP -> new Reply(ErrorKind.PIPELINE_TOO_DEEP, Ee2ErrorReply.serverError(
                    "This connection sent more than " + config.limits().maxPipelinedRequests() + " requests ahead of their"
                            + " answers (HTTP pipelining; ee2-admission-proxy's limits.maxPipelinedRequests). Neither this request"
                            + " nor any sent after it on this connection was sent to Execution Engine 2, so they submitted no job;"
                            + " the connection closes after this answer. Send them again, at most "
                            + config.limits().maxPipelinedRequests() + " at a time per connection."));
            case REQUEST_TIMEOUT -> new Reply(ErrorKind.REQUEST_TIMEOUT, Ee2ErrorReply.serverError(
                    "The request did not arrive whole within " + seconds(config.timeouts().request())
                            + " (ee2-admission-proxy's timeouts.request): the client sent it too slowly, or stopped sending it."
                            + NOT_SENT + " Send it again; if this persists, check the network between the client and KBase."));
            case BODY_BUFFERS_FULL -> new Reply(ErrorKind.BODY_BUFFERS_FULL, Ee2ErrorReply.serverError(
                    "ee2-admission-proxy is busy receiving other large requests and has no room to hold this request's body"
                            + " now (limits.maxBufferedBodyBytes, " + config.limits().maxBufferedBodyBytes()
                            + " bytes for all clients together)." + NOT_SENT + " Try again in a few seconds.")
                    .withHeader("Retry-After", RETRY_AFTER_SECONDS));
            case ADDRESS_BODY_BUFFERS_FULL -> new Reply(ErrorKind.BODY_BUFFERS_FULL, Ee2ErrorReply.serverError(
                    "ee2-admission-proxy is busy receiving other large requests from the same address and has no room to hold"
                            + " this request's body now (limits.maxBufferedBodyBytesPerAddress, "
                            + config.limits().maxBufferedBodyBytesPerAddress() + " bytes per client address)." + NOT_SENT
                            + " Try again in a few seconds, or send fewer large requests at once.")
                    .withHeader("Retry-After", RETRY_AFTER_SECONDS));
        };
    }

    /** Client-chosen text quoted in a message: a method or header value, kept short. */
    private static String abbreviate(String text) {
        String t = text == null ? "" : text;
        return t.length() <= 64 ? t : t.substring(0, 61) + "...";
    }

    /** The admission gate failed to decide (a bug or an outage the gate did not handle itself). */
    Reply gateFailed(Throwable cause) {
        return new Reply(ErrorKind.GATE_FAILED, Ee2ErrorReply.serverError(
                "ee2-admission-proxy could not decide whether to submit this request (" + cause.getClass().getSimpleName()
                        + ")." + NOT_SENT + " Try again in a minute; if this persists, tell the KBase operators."));
    }

    /** The proxy is closing while the call waits for its verdict: admission's own words for a drain's held calls. */
    Reply stopping() {
        return new Reply(ErrorKind.PROXY_STOPPING, AdmissionReplies.stopping());
    }

    /**
     * The client ended its sending side while its call waited for its verdict. A killed client's FIN
     * looks exactly like that, and a call must never be sent for a client that is gone, so it is not
     * sent; a client that merely half-closed learns why.
     */
    Reply halfClosedWhileWaiting() {
        return new Reply(ErrorKind.CLIENT_HALF_CLOSED, Ee2ErrorReply.serverError(
                "ee2-admission-proxy was deciding whether to submit this request (it may wait minutes for the user's"
                        + " job slots), and the client closed its sending side of the connection meanwhile, as a client"
                        + " that has gone away does." + NOT_SENT + " Submit it again and keep the connection open"
                        + " until the answer arrives."));
    }

    /**
     * The client ended its sending side while its call waited for a free connection to EE2: not
     * sent, for the same reason as {@link #halfClosedWhileWaiting()}.
     */
    Reply halfClosedWhileWaitingForEe2() {
        return new Reply(ErrorKind.CLIENT_HALF_CLOSED, Ee2ErrorReply.serverError(
                "ee2-admission-proxy was waiting for one of its connections to Execution Engine 2 to come free for this"
                        + " request, and the client closed its sending side of the connection meanwhile, as a client that"
                        + " has gone away does." + NOT_SENT + " Send it again and keep the connection open until the"
                        + " answer arrives."));
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + " ms";
        }
        return ms == 1000 ? "1 second" : ms / 1000 + " seconds";
    }

    /** Marks a request whose declared Content-Length is over the limit, refused before its body arrived. */
    static final class BodyTooLargeException extends RuntimeException {
        BodyTooLargeException(long length) {
            super("Content-Length " + length + " is over the limit", null, false, false);
        }
    }
}
