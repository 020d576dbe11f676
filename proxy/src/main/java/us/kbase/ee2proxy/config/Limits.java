package us.kbase.ee2proxy.config;

/**
 * Size limits on what the proxy buffers. Bodies are aggregated in memory (EE2's are small JSON),
 * so these bound the memory one connection can take.
 *
 * @param maxInitialLineBytes the request line
 * @param maxHeaderBytes all request headers together
 * @param maxBodyBytes a request body
 * @param maxResponseBytes an EE2 response body (job logs can be large)
 */
public record Limits(int maxInitialLineBytes, int maxHeaderBytes, int maxBodyBytes, int maxResponseBytes) {}
