package us.kbase.ee2proxy.sim.rpc;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP answer from the EE2 side.
 *
 * @param status 200 or 500, as EE2 (gunicorn) answers
 * @param contentType "application/json" for every JSON-RPC answer, "text/html" for a crash
 * @param body the exact bytes
 * @param close the server closes the connection after it (gunicorn does after a crash)
 */
public record Ee2Reply(int status, String contentType, byte[] body, boolean close) {

    static Ee2Reply json(int status, String text) {
        return new Ee2Reply(status, "application/json", text.getBytes(StandardCharsets.US_ASCII), false);
    }

    /** What gunicorn sends when the WSGI app raises: EE2 crashed on the request. */
    static Ee2Reply crash() {
        String html = "<html>\n  <head>\n    <title>Internal Server Error</title>\n  </head>\n"
                + "  <body>\n    <h1><p>Internal Server Error</p></h1>\n    \n  </body>\n</html>\n";
        return new Ee2Reply(500, "text/html", html.getBytes(StandardCharsets.US_ASCII), true);
    }
}
