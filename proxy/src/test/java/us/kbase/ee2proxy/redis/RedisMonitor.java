package us.kbase.ee2proxy.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * MONITOR on a real redis-server: the commands clients sent, in the order Redis ran them, apart
 * from those a Lua script ran (what a test counts as round trips). Open it, make the calls, then
 * {@link #sentSoFar}: it marks the stream with an ECHO from another connection and reads up to it,
 * so every call made before is in the list whatever the timing.
 */
public final class RedisMonitor implements AutoCloseable {
    private final RedisServerProcess server;
    private final Socket socket;
    private final BufferedReader in;

    public RedisMonitor(RedisServerProcess server) {
        this.server = server;
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 2_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String ok = in.readLine();
            if (!"+OK".equals(ok)) {
                throw new IllegalStateException("MONITOR answered " + ok);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The commands clients sent since the last call (or the start) whose line contains {@code
     * containing}, each as its MONITOR line from the command's name on ({@code "EVALSHA" "3f..."
     * ...}).
     */
    public List<String> sentSoFar(String containing) {
        String marker = "monitor-mark-" + UUID.randomUUID();
        server.command("ECHO", marker);
        List<String> sent = new ArrayList<>();
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.contains(marker)) {
                    return sent;
                }
                int client = line.indexOf('[');
                int end = line.indexOf(']', client);
                boolean fromScript = client >= 0 && end > client && line.substring(client, end).endsWith(" lua");
                if (!fromScript && line.contains(containing)) {
                    sent.add(line.substring(end + 2));
                }
            }
            throw new IllegalStateException("MONITOR stream ended before its marker");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
