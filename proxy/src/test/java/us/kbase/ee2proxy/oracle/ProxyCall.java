package us.kbase.ee2proxy.oracle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One request on its own connection, as a client (or an attacker) sends it: any HTTP method, any
 * body bytes, the token as {@code Authorization}. Reads the answer framed as HTTP says for that
 * method: no body after HEAD, nor after a 2xx to CONNECT.
 */
final class ProxyCall {
    private ProxyCall() {}

    /**
     * How long a call may go unanswered before it counts as waiting at the proxy: a parallel app
     * sent by a running one waits for its cap however long (it is never refused), so the test
     * hangs up, and the proxy drops the waiting call without sending it.
     */
    static final int WAIT_MILLIS = Integer.getInteger("ee2proxy.oracleWaitMillis", 4_000);

    /** The answer: status (0 when the connection closed without one, -1 still waiting at the proxy), body bytes, content-type. */
    record Answer(int status, byte[] body, String contentType) {
        static final Answer WAITING = new Answer(-1, new byte[0], null);

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** A short description for reports: status, and EE2's error message if there is one. */
        String describe() {
            if (status == 0) {
                return "no answer (connection closed)";
            }
            if (status == -1) {
                return "no answer within " + WAIT_MILLIS + " ms: waiting at the proxy (the test hung up)";
            }
            String t = text();
            String message = null;
            int at = t.indexOf("\"message\": \"");
            if (at >= 0) {
                int end = t.indexOf('"', at + 12);
                while (end > 0 && t.charAt(end - 1) == '\\') {
                    end = t.indexOf('"', end + 1);
                }
                message = t.substring(at + 12, end < 0 ? t.length() : end);
                if (message.length() > 140) {
                    message = message.substring(0, 140) + "...";
                }
            }
            return "HTTP " + status + (body.length == 0 ? " (empty body)" : "") + (message == null ? "" : ": " + message);
        }
    }

    static Answer send(URI proxy, String httpMethod, String token, byte[] body) throws IOException {
        String target = "CONNECT".equals(httpMethod) ? "ee2.kbase.us:443" : "/services/ee2";
        StringBuilder head = new StringBuilder(httpMethod).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ee2.kbase.us\r\nContent-Type: application/json\r\nConnection: close\r\n");
        if (token != null) {
            head.append("Authorization: ").append(token).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        try (Socket socket = new Socket(proxy.getHost(), proxy.getPort())) {
            socket.setSoTimeout(WAIT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String status;
            try {
                status = line(in);
            } catch (SocketTimeoutException e) {
                return Answer.WAITING;
            }
            socket.setSoTimeout(20_000);
            while (status != null && status.startsWith("HTTP/1.1 100")) {
                line(in);
                status = line(in);
            }
            if (status == null) {
                return new Answer(0, new byte[0], null);
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            int length = -1;
            String type = null;
            for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
                int colon = l.indexOf(':');
                String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = l.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Integer.parseInt(value);
                } else if (name.equals("content-type")) {
                    type = value;
                }
            }
            boolean noBody = "HEAD".equals(httpMethod) || ("CONNECT".equals(httpMethod) && code / 100 == 2);
            byte[] bytes;
            if (noBody) {
                bytes = new byte[0];
            } else if (length >= 0) {
                bytes = in.readNBytes(length);
            } else {
                bytes = readToEnd(in);
            }
            return new Answer(code, bytes, type);
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            in.transferTo(b);
        } catch (SocketTimeoutException e) {
            // what arrived is the answer
        }
        return b.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
