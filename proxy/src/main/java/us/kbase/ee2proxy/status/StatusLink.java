package us.kbase.ee2proxy.status;

import java.net.URI;

/**
 * Where scientists look for their calls waiting at the proxy: {@code status.url} in proxy.yaml
 * (the public URL of {@code GET /status}, e.g. {@code https://kbase.us/services/ee2/status}).
 * Every waiting and refusal text for scientists ends with {@link #see()}.
 *
 * @param url null when not configured: the texts then name the page by its path
 */
public record StatusLink(URI url) {
    public static final StatusLink UNSET = new StatusLink(null);

    /** " See URL" (with a leading space), to end a scientist's text with. */
    public String see() {
        return url == null ? " See the /status page of the Execution Engine 2 URL you use." : " See " + url;
    }

    /** {@code text} ending with where to look. */
    public String append(String text) {
        return text + see();
    }
}
