package us.kbase.ee2proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * The admin port's connections are bounded (issue 16): 20,000 idle admin connections once used up
 * the open-files limit and broke the main port. Idle ones are closed after timeouts.adminIdle, and
 * beyond limits.maxAdminConnections a new one is closed at once.
 */
class AdminConnectionLimitsTest {
    private ProxyExtension proxy;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    private void start(Duration adminIdle, int maxAdminConnections) throws Exception {
        proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK).config(base -> base
                .withTimeouts(base.timeouts().withAdminIdle(adminIdle))
                .withLimits(base.limits().withMaxAdminConnections(maxAdminConnections))).build().start();
    }

    /** An admin connection that sends nothing. */
    private Socket idle() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.server().adminPort());
        s.setSoTimeout(20_000);
        sockets.add(s);
        return s;
    }

    /** Whether the server ended the connection (EOF or reset) before the socket timeout. */
    private static boolean endedByServer(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private int metricsStatus() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.server().adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void anIdleAdminConnectionIsClosed() throws Exception {
        start(Duration.ofSeconds(1), 64);
        assertThat(endedByServer(idle())).isTrue();
        assertThat(metricsStatus()).isEqualTo(200);
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnceAndScrapesWorkAgainWhenOnesClose() throws Exception {
        start(Duration.ofMinutes(10), 3);
        List<Socket> held = List.of(idle(), idle(), idle());
        Socket extra = idle();
        assertThat(endedByServer(extra)).as("the fourth connection").isTrue();
        held.get(0).close();
        // The cap counts a connection until its close has been seen on the admin thread.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int status = 0;
        while (status != 200 && System.nanoTime() < deadline) {
            try {
                status = metricsStatus();
            } catch (IOException refusedWhileFull) {
                Thread.sleep(50);
            }
        }
        assertThat(status).isEqualTo(200);
        held.get(1).setSoTimeout(1000); // only a wrong close could end this wait early
        assertThat(endedByServer(held.get(1))).as("an open one is not closed (the idle timeout is long)").isFalse();
    }
}
