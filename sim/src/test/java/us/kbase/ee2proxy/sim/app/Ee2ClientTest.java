package us.kbase.ee2proxy.sim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A held call (a proxy that never answers) is abandoned by closing its connection, which is how
 * a proxy learns that the client went away.
 */
class Ee2ClientTest {

    @Test
    void cancelAllClosesTheConnectionOfAHeldCall() throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            holder.setSoTimeout(30_000);
            Ee2Client client = new Ee2Client(threads);
            URI url = URI.create("http://127.0.0.1:" + holder.getLocalPort() + "/");
            CompletableFuture<?> call = client.call(url, "tok", "execution_engine2.run_job",
                    JsonNodeFactory.instance.objectNode().put("method", "a.b"));
            try (Socket held = holder.accept()) {
                held.setSoTimeout(30_000);
                InputStream in = held.getInputStream();
                byte[] request = new byte[4096];
                assertThat(in.read(request)).isPositive(); // the request arrived and is being held
                client.cancelAll();
                int next;
                do {
                    next = in.read(request);
                } while (next > 0);
                assertThat(next).as("the client closed the held connection").isEqualTo(-1);
            }
            // The caller's future completes after the connection closes, on another thread: wait for
            // it, but a call that never ends (a timeout) still fails the test.
            assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS))
                    .isInstanceOfAny(ExecutionException.class, CancellationException.class);
        } finally {
            threads.shutdownNow();
        }
    }
}
