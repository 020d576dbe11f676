package us.kbase.ee2proxy.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay on loopback between a Redis client and a real Redis: every byte passes, except that
 * the reply to a command carrying a marker (a ticket), or that command itself, is held until
 * {@link #release} is called. So
 * a test makes Redis run a script and its answer arrive late, over a real socket, while the
 * client's other connections go on. Replies after the held one on the same connection wait with
 * it (Redis answers in order): give the client enough connections (see {@link OutageRacesTest}).
 */
final class HeldReplies implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress redis;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile String marker;
    /** Hold the command carrying the marker itself (it reaches Redis late), not its reply. */
    private volatile boolean holdCommand;
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch seen = new CountDownLatch(1);

    HeldReplies(URI redisUri) throws IOException {
        this.redis = new InetSocketAddress(redisUri.getHost(), redisUri.getPort());
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "held-replies-accept");
        accept.setDaemon(true);
        accept.start();
    }

    URI uri() {
        return URI.create("redis://127.0.0.1:" + server.getLocalPort());
    }

    /** The reply to the next command carrying {@code text} is held until {@link #release}. */
    void holdReplyTo(String text) {
        marker = text;
    }

    /** The next command carrying {@code text} reaches Redis only at {@link #release}. */
    void holdCommand(String text) {
        holdCommand = true;
        marker = text;
    }

    /** Whether a command carrying the marker arrived (it, or its reply, is now held). */
    boolean sent() {
        return seen.getCount() == 0;
    }

    void release() {
        released.countDown();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(redis.getAddress(), redis.getPort());
                sockets.add(client);
                sockets.add(upstream);
                boolean[] holding = {false};
                pump(client, upstream, holding, true);
                pump(upstream, client, holding, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Copies one direction; commands are scanned for the marker, replies held once it was seen. */
    private void pump(Socket from, Socket to, boolean[] holding, boolean commands) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    String wanted = marker;
                    if (commands && wanted != null
                            && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains(wanted)) {
                        marker = null;
                        seen.countDown();
                        if (holdCommand) {
                            released.await();
                        } else {
                            synchronized (holding) {
                                holding[0] = true; // before Redis can answer it
                            }
                        }
                    }
                    if (!commands) {
                        boolean hold;
                        synchronized (holding) {
                            hold = holding[0];
                        }
                        if (hold) {
                            released.await();
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the connection ended
            } finally {
                close(from);
                close(to);
            }
        }, "held-replies-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
        sockets.forEach(HeldReplies::close);
    }
}
