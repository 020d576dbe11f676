package us.kbase.ee2proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A raw-socket HTTP/1.1 client for what JDK clients will not send: chunked or malformed requests,
 * pipelining, half-sent bodies. Reads responses framed by Content-Length.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** A response as it arrived: the status line, headers in order with their case, body bytes. */
    public record Response(String statusLine, List<Map.Entry<String, String>> headers, byte[] body) {
        public int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        public String header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public RawHttp(URI url) throws IOException {
        this(url, null);
    }

    /**
     * Connects from {@code localAddress} (any port), e.g. 127.0.0.2 to look like another client on
     * Linux, where all of 127.0.0.0/8 is loopback; null for the system's choice.
     */
    public RawHttp(URI url, InetAddress localAddress) throws IOException {
        socket = new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 20_000);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** A POST with a Content-Length, as a KBase client sends it. */
    public static byte[] post(String path, byte[] body, String... headerLines) {
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: ee2\r\n");
        for (String h : headerLines) {
            head.append(h).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    public Response read() throws IOException {
        Response head = readHead();
        String length = head.header("content-length");
        byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
        return new Response(head.statusLine(), head.headers(), body);
    }

    /** The status line and headers of the next response, and nothing after them (e.g. the answer to a HEAD). */
    public Response readHead() throws IOException {
        String statusLine = line();
        while (statusLine.startsWith("HTTP/1.1 100")) {
            line(); // the blank line after an interim response
            statusLine = line();
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.add(Map.entry(l.substring(0, colon), l.substring(colon + 1).trim()));
        }
        return new Response(statusLine, headers, new byte[0]);
    }

    /** True once the server has closed the connection (EOF within the socket timeout). */
    public boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * True once the server has ended the connection (EOF or reset) within the socket timeout; false
     * when it is still open then. Stricter than {@link #closedByServer()}, which counts a timeout as closed.
     */
    public boolean endedByServer() {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Ends the sending side (shutdown(SHUT_WR): a FIN) and keeps reading. */
    public void halfClose() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes abortively, as a killed process with unread data does: a RST, not a FIN. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("connection closed by the server");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
