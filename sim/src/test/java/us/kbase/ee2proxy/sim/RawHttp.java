package us.kbase.ee2proxy.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A bare HTTP/1.1 exchange over a socket, so tests see exact bytes and header order. */
public final class RawHttp {
    public record Response(int status, String head, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {}

    public static Response post(URI url, String body, String... headers) throws IOException {
        return exchange(url, "POST", "/", body.getBytes(StandardCharsets.UTF_8), true, headers);
    }

    public static Response exchange(URI url, String method, String path, byte[] body, boolean contentLength,
                                    String... headers) throws IOException {
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setSoTimeout(30_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (contentLength) {
                req.append("Content-Length: ").append(body.length).append("\r\n\r\n");
                out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
            } else {
                req.append("Transfer-Encoding: chunked\r\n\r\n");
                out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body.length > 0) {
                    out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            OutputStream os = s.getOutputStream();
            os.write(out.toByteArray());
            os.flush();
            byte[] all = readAll(s.getInputStream());
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            String head = text.substring(0, split);
            Map<String, String> hs = new LinkedHashMap<>();
            String[] lines = head.split("\r\n");
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                hs.put(lines[i].substring(0, c).toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
            }
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            byte[] bodyBytes = java.util.Arrays.copyOfRange(all, split + 4, all.length);
            return new Response(status, head, hs, bodyBytes);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
