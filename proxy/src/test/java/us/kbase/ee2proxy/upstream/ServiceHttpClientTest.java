package us.kbase.ee2proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.UpstreamConfig;

/**
 * The proxy's own HTTP client over real sockets, against a scripted HTTP/1.1 server whose every
 * connection runs one script: how it answers the n-th request on that connection.
 */
class ServiceHttpClientTest {
    private ScriptedServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void callsInTurnShareOneKeptAliveConnection() throws Exception {
        server = new ScriptedServer((connection, request) -> Reply.ok("{\"n\":" + request + "}"));
        ServiceHttpClient client = client(Duration.ofSeconds(5));
        for (int i = 1; i <= 3; i++) {
            ServiceHttpClient.Answer answer = get(client.send(HttpMethod.GET, "/x", Map.of(), new byte[0]));
            assertThat(answer.status()).isEqualTo(200);
            assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":" + i + "}");
        }
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void aReusedConnectionTheServiceClosedIsRetriedOnceOnANewOne() throws Exception {
        // The first connection answers once, then closes when asked again (an idle close racing the reuse).
        server = new ScriptedServer((connection, request) -> connection == 1 && request == 2 ? Reply.CLOSE : Reply.ok("{}"));
        ServiceHttpClient client = client(Duration.ofSeconds(5));
        assertThat(get(client.send(HttpMethod.GET, "/", Map.of(), new byte[0])).status()).isEqualTo(200);
        assertThat(get(client.send(HttpMethod.GET, "/", Map.of(), new byte[0])).status()).isEqualTo(200);
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void aNewConnectionClosedBeforeAnAnswerFailsWithoutARetry() throws Exception {
        server = new ScriptedServer((connection, request) -> Reply.CLOSE);
        ServiceHttpClient client = client(Duration.ofSeconds(5));
        assertThatThrownBy(() -> get(client.send(HttpMethod.GET, "/", Map.of(), new byte[0])))
                .hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("closed before an answer");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void aServiceThatNeverAnswersTimesOutAndItsConnectionIsNotReused() throws Exception {
        server = new ScriptedServer((connection, request) -> connection == 1 ? Reply.SILENCE : Reply.ok("{}"));
        ServiceHttpClient client = client(Duration.ofMillis(300));
        assertThatThrownBy(() -> get(client.send(HttpMethod.GET, "/", Map.of(), new byte[0])))
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(get(client.send(HttpMethod.GET, "/", Map.of(), new byte[0])).status()).isEqualTo(200);
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void answersArriveOnTheClientsOwnCallbackThreadsNotAThreadPerCall() throws Exception {
        // The JDK's HttpClient completed each async call through CompletableFuture's default
        // executor, which on two cores is a new thread per task ("Thread-N").
        server = new ScriptedServer((connection, request) -> Reply.ok("{}"));
        ServiceHttpClient client = client(Duration.ofSeconds(10));
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(client.send(HttpMethod.GET, "/", Map.of(), new byte[0])
                    .thenRun(() -> threads.add(Thread.currentThread().getName())));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        // A call answered before its continuation was attached runs it here, on the caller.
        threads.remove(Thread.currentThread().getName());
        assertThat(threads).isNotEmpty().allMatch(name -> name.startsWith("ee2proxy-service-calls"));
        assertThat(threads).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void aHeaderValueThatCannotBeSentIsRefusedBeforeAnythingIsSent() throws Exception {
        server = new ScriptedServer((connection, request) -> Reply.ok("{}"));
        ServiceHttpClient client = client(Duration.ofSeconds(5));
        assertThatThrownBy(() -> client.send(HttpMethod.GET, "/", Map.of("Authorization", "line\r\nbreak"), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(server.connections()).isZero();
    }

    private ServiceHttpClient client(Duration timeout) {
        URI url = URI.create("http://127.0.0.1:" + server.port() + "/");
        return new ServiceHttpClient(new UpstreamConfig(url, null, true, 4, Duration.ofSeconds(30)), timeout, 1 << 20);
    }

    private static ServiceHttpClient.Answer get(CompletableFuture<ServiceHttpClient.Answer> call) throws Exception {
        try {
            return call.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ExecutionException(e.getCause().getMessage(), e.getCause());
        }
    }

    /** What a connection does with a request: answer, close, or say nothing. */
    record Reply(String body, boolean close, boolean silence) {
        static final Reply CLOSE = new Reply(null, true, false);
        static final Reply SILENCE = new Reply(null, false, true);

        static Reply ok(String body) {
            return new Reply(body, false, false);
        }
    }

    interface Script {
        /** @param connection 1 for the first accepted connection; @param request 1 for its first request */
        Reply reply(int connection, int request);
    }

    /** A minimal HTTP/1.1 server (bodiless requests, keep-alive) on a free loopback port. */
    static final class ScriptedServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0);
        private final AtomicInteger accepted = new AtomicInteger();
        private final List<Socket> open = new ArrayList<>();
        private final Script script;

        ScriptedServer(Script script) throws IOException {
            this.script = script;
            Thread acceptor = new Thread(this::accept, "scripted-http-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return accepted.get();
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    int n = accepted.incrementAndGet();
                    synchronized (open) {
                        open.add(s);
                    }
                    Thread t = new Thread(() -> serve(s, n), "scripted-http-" + n);
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket s, int connection) {
            try (s) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                for (int request = 1; ; request++) {
                    String line;
                    boolean any = false;
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                        any = true; // the request line and headers; our client's requests here have no body
                    }
                    if (!any) {
                        return;
                    }
                    Reply reply = script.reply(connection, request);
                    if (reply.close()) {
                        return;
                    }
                    if (reply.silence()) {
                        while (in.readLine() != null) {
                            // say nothing until the client gives up
                        }
                        return;
                    }
                    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException gone) {
                // the client closed: this connection is done
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (open) {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }
}
