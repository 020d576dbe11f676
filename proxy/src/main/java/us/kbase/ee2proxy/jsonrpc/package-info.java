/**
 * EE2's JSON-RPC as the proxy reads it.
 *
 * <p>Requests: {@link us.kbase.ee2proxy.jsonrpc.JsonRpcSniffer} judges every body exactly as EE2
 * does (Python's {@code json.loads} on bytes, then EE2's WSGI handler), so the proxy and EE2
 * always agree on whether a body parses, which method it calls and with which parameters. It
 * answers a {@link us.kbase.ee2proxy.jsonrpc.SniffResult}: a call (with what admission and job
 * tracking need), Python's parse error message, or a body EE2 would crash on. Two passes: a
 * Python-faithful scanner checks the whole body and notes where the top-level members lie
 * (nothing built, nothing allocated per value), then only the members the method needs are
 * decoded. {@code src/test/resources/jsonrpc/make_vectors.py} records Python 3.11's own
 * verdicts on hundreds of tricky bodies; the tests hold the sniffer to every one.
 *
 * <p>Replies: {@link us.kbase.ee2proxy.jsonrpc.Ee2ReplyReader} reads what job tracking needs from
 * EE2's replies (created and retried job ids, job states, EE2's own refusal of the call), streaming
 * with Jackson. An answer that is neither EE2's success nor its error object for the call (same
 * id) proves nothing, and is read as such.
 *
 * <p>Known difference: CPython's parser recurses, so nesting deeper than about 1,000 levels makes
 * EE2 crash (RecursionError, not a parse error); the sniffer has no such limit and reads such a
 * body like any other. A job-creating call read that way is admitted and its slot released when
 * EE2 answers with an error.
 */
package us.kbase.ee2proxy.jsonrpc;
