package us.kbase.ee2proxy.redis;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for tests and benchmarks, on a free loopback port, without
 * persistence of its own ({@code --save "" --appendonly no}). {@link #stop()} and {@link #start()}
 * model a Redis with persistence being restarted (an explicit SAVE into its private directory is
 * loaded again); {@link #freeze()} models a Redis that hangs with its connections open.
 */
public final class RedisServerProcess implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(20);

    private final String executable;
    private final Path dir;
    private final int port;
    private Process process;

    private RedisServerProcess(String executable, Path dir, int port) {
        this.executable = executable;
        this.dir = dir;
        this.port = port;
    }

    /** Starts a fresh server; fails with the install command if redis-server is not on PATH. */
    public static RedisServerProcess start() {
        String executable = locate();
        try {
            RedisServerProcess server =
                    new RedisServerProcess(executable, Files.createTempDirectory("redis-test"), freePort());
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Saves the data set and shuts the server down, as an operator's restart would. */
    public synchronized void stop() {
        if (!running()) {
            return;
        }
        thaw();
        try {
            command("SHUTDOWN", "SAVE");
        } catch (UncheckedIOException expected) {
            // the server closes the connection as it exits
        }
        awaitExit();
    }

    /** Starts the server again on the same port with the data set it saved when stopped. */
    public synchronized void restart() {
        if (!running()) {
            launch();
        }
    }

    /**
     * SIGKILL, then started again on the same port with no data: a Redis without persistence
     * restarted, or a failover to a replica that had not synced.
     */
    public synchronized void crashEmpty() {
        if (running()) {
            thaw();
            process.destroyForcibly();
            awaitExit();
        }
        try {
            Files.deleteIfExists(dir.resolve("dump.rdb"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        launch();
    }

    /** SIGSTOP: the server keeps its sockets open but answers nothing, like a hung Redis. */
    public void freeze() {
        signal("-STOP");
    }

    /** SIGCONT: the frozen server answers again, data intact. */
    public void thaw() {
        signal("-CONT");
    }

    /** Sends one command over a plain socket and returns the first line of the reply. */
    public String command(String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            socket.setSoTimeout(5_000);
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readLine(new BufferedInputStream(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            thaw();
            process.destroyForcibly();
            awaitExit();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    private void launch() {
        List<String> cmd = List.of(executable, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                "--protected-mode", "no", "--loglevel", "warning");
        try {
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start; see " + dir.resolve("redis.log"));
            }
            try {
                if ("+PONG".equals(command("PING"))) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                sleep(20);
            }
        }
        throw new IllegalStateException("redis-server did not answer PING within " + READY_WITHIN);
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void signal(String signal) {
        if (!running()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (c == -1 && line.length() == 0) {
            throw new UncheckedIOException(new IOException("connection closed"));
        }
        return line.toString();
    }

    private static String locate() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(
                "redis-server is not on PATH; these tests need a real Redis: apt-get install redis-server");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
