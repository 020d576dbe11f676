package us.kbase.ee2proxy.resilience;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP load balancer on a loopback port, as HAProxy in TCP mode: each new connection goes to the
 * next replica in turn, skipping one that refuses it. A replica can be swapped for its restarted
 * self ({@link #set}). Also used by the ledger's steady-state benchmark (bench/).
 */
public final class RoundRobin implements AutoCloseable {
    private final ServerSocket server;
    private final List<URI> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    public RoundRobin(List<URI> backends) throws IOException {
        this.backends = new CopyOnWriteArrayList<>(backends);
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "round-robin");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
    }

    public void set(int index, URI backend) {
        backends.set(index, backend);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> connect(client), "round-robin-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void connect(Socket client) {
        open.add(client);
        for (int tries = 0; tries < backends.size() * 2; tries++) {
            URI to = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(to.getHost(), to.getPort()), 1000);
            } catch (IOException refused) {
                closeQuietly(upstream);
                continue;
            }
            open.add(upstream);
            Thread back = new Thread(() -> pipe(upstream, client), "round-robin-back");
            back.setDaemon(true);
            back.start();
            pipe(client, upstream);
            return;
        }
        closeQuietly(client);
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // either side gone
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        List.copyOf(open).forEach(this::closeQuietly);
    }
}
