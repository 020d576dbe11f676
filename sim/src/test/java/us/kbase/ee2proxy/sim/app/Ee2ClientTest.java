package us.kbase.ee2proxy.sim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.SimulatorExtension;

/**
 * A held call (a proxy that never answers) is abandoned by closing its connection, which is how
 * a proxy learns that the client went away; answered calls reuse their keep-alive connections.
 */
class Ee2ClientTest {
    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b.token("tok", "alice"));

    @Test
    void cancelAllClosesTheConnectionOfAHeldCall() throws Exception {
        try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Ee2Client client = new Ee2Client("test-client", 1)) {
            holder.setSoTimeout(30_000);
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
        }
    }

    @Test
    void answeredCallsReuseTheirConnections() throws Exception {
        try (Ee2Client client = new Ee2Client("test-client", 1)) {
            for (int i = 0; i < 50; i++) {
                assertThat(client.call(sim.url(), "tok", "execution_engine2.ver").get(30, TimeUnit.SECONDS).asText())
                        .isNotEmpty();
            }
            assertThat(client.connectionsOpened()).as("one after the other: one connection").isEqualTo(1);
            List<CompletableFuture<?>> together = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                together.add(client.call(sim.url(), "tok", "execution_engine2.status"));
            }
            CompletableFuture.allOf(together.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            int afterBurst = client.connectionsOpened();
            assertThat(afterBurst).isBetween(1, 21);
            for (int i = 0; i < 20; i++) {
                client.call(sim.url(), "tok", "execution_engine2.ver").get(30, TimeUnit.SECONDS);
            }
            assertThat(client.connectionsOpened()).as("the burst's connections were kept").isEqualTo(afterBurst);
        }
    }

    @Test
    void anEe2ErrorCarriesItsErrorObject() {
        try (Ee2Client client = new Ee2Client("test-client", 1)) {
            assertThatThrownBy(() -> client.call(sim.url(), "not-a-token", "execution_engine2.check_job",
                    JsonNodeFactory.instance.objectNode().put("job_id", "x")).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(Ee2CallError.class)
                    .cause().satisfies(e -> assertThat(((Ee2CallError) e).error().path("message").asText())
                            .startsWith("Token validation failed"));
        }
    }
}
