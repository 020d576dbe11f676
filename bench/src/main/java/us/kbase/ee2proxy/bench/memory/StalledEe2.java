package us.kbase.ee2proxy.bench.memory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An EE2 that accepts every connection, reads and drops what it is sent, and never answers: every
 * call the proxy sends it stays in flight, so every call behind those waits for a connection.
 */
final class StalledEe2 implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread loop;

    StalledEe2() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.configureBlocking(false);
        selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        loop = new Thread(this::run, "stalled-ee2");
        loop.setDaemon(true);
        loop.start();
    }

    private void run() {
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        try {
            while (selector.isOpen()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        SocketChannel ch = server.accept();
                        if (ch != null) {
                            ch.configureBlocking(false);
                            ch.register(selector, SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        sink.clear();
                        if (((SocketChannel) key.channel()).read(sink) < 0) {
                            key.channel().close();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed
        }
    }

    URI url() throws IOException {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort() + "/");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A field of /proc/PID/status in kB (VmRSS, VmHWM). */
    static long statusKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        selector.close();
        server.close();
    }
}
