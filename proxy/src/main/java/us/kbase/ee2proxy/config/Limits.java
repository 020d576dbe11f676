package us.kbase.ee2proxy.config;

/**
 * Size and count limits on what the proxy holds. Bodies are aggregated in memory (EE2's are small
 * JSON), so these bound the memory clients can take: one request ({@code maxBodyBytes}), one
 * connection ({@code maxPipelinedRequests}), one client address and everything together (the two
 * buffered-body budgets).
 *
 * @param maxInitialLineBytes the request line
 * @param maxHeaderBytes all request headers together
 * @param maxBodyBytes a request body
 * @param maxResponseBytes an EE2 response body (job logs can be large)
 * @param maxPipelinedRequests requests one client connection may send ahead of their answers (HTTP
 *     pipelining), counting the one being answered. The next one is refused with an EE2-shaped error
 *     before it or any after it is sent to EE2, and the connection closes after that answer.
 * @param maxBufferedBodyBytes request body bytes the proxy holds at once over all clients (bodies
 *     being received, waiting behind a pipelined call, or on their way to EE2); a request that would
 *     go over is refused (EE2-shaped, with Retry-After) before more of it is read
 * @param maxBufferedBodyBytesPerAddress the same, per client IP address
 * @param maxAdminConnections connections the admin port keeps open at once; more are closed at once
 */
public record Limits(int maxInitialLineBytes, int maxHeaderBytes, int maxBodyBytes, int maxResponseBytes,
        int maxPipelinedRequests, int maxBufferedBodyBytes, int maxBufferedBodyBytesPerAddress, int maxAdminConnections) {
    public static final int DEFAULT_MAX_PIPELINED_REQUESTS = 128;
    public static final int DEFAULT_MAX_BUFFERED_BODY_BYTES = 256 * 1024 * 1024;
    public static final int DEFAULT_MAX_BUFFERED_BODY_BYTES_PER_ADDRESS = 64 * 1024 * 1024;
    public static final int DEFAULT_MAX_ADMIN_CONNECTIONS = 64;

    /**
     * The four message-size limits; the others take their defaults, the body budgets raised to at
     * least {@code maxBodyBytes} so that a body the limit allows can always be received.
     */
    public Limits(int maxInitialLineBytes, int maxHeaderBytes, int maxBodyBytes, int maxResponseBytes) {
        this(maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, maxResponseBytes, DEFAULT_MAX_PIPELINED_REQUESTS,
                Math.max(DEFAULT_MAX_BUFFERED_BODY_BYTES, maxBodyBytes),
                Math.max(DEFAULT_MAX_BUFFERED_BODY_BYTES_PER_ADDRESS, maxBodyBytes), DEFAULT_MAX_ADMIN_CONNECTIONS);
    }

    public Limits withMaxPipelinedRequests(int value) {
        return new Limits(maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, maxResponseBytes, value,
                maxBufferedBodyBytes, maxBufferedBodyBytesPerAddress, maxAdminConnections);
    }

    public Limits withBufferedBodyBytes(int total, int perAddress) {
        return new Limits(maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, maxResponseBytes, maxPipelinedRequests,
                total, perAddress, maxAdminConnections);
    }

    public Limits withMaxAdminConnections(int value) {
        return new Limits(maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, maxResponseBytes, maxPipelinedRequests,
                maxBufferedBodyBytes, maxBufferedBodyBytesPerAddress, value);
    }
}
