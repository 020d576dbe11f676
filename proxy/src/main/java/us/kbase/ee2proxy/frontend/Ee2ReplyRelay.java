package us.kbase.ee2proxy.frontend;

import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.upstream.Ee2Response;
import us.kbase.ee2proxy.upstream.UpstreamExchange;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * Takes EE2's answer to a connection's forwarded call (or the reason there is none), tells the
 * call's observer (admission, job tracking) first, even when the client has gone, then has the
 * client answered: EE2's response byte for byte minus hop-by-hop headers (its bytes relayed, never
 * decoded into header objects), or the proxy's
 * EE2-shaped error. One per connection, the {@link UpstreamExchange} of each of its calls in turn.
 */
final class Ee2ReplyRelay implements UpstreamExchange {
    private static final Logger LOG = LoggerFactory.getLogger(Ee2ReplyRelay.class);
    /** {@link us.kbase.ee2proxy.admission.PolicyGate#DECISION_HEADER}, named here so the relay does not load the gate. */
    static final String DECISION_HEADER = "X-Ee2-Proxy-Decision";

    private final Relay relay;
    private final CallInProgress call;
    private final Channel client;
    private final ClientRelay connection;

    Ee2ReplyRelay(Relay relay, CallInProgress call, Channel client, ClientRelay connection) {
        this.relay = relay;
        this.call = call;
        this.client = client;
        this.connection = connection;
    }

    /** EE2's answer time ({@code ee2proxy_upstream_seconds}) starts here, not before a wait for a connection. */
    @Override
    public void sending() {
        call.sent();
    }

    @Override
    public void onResponse(Ee2Response response) {
        relay.metrics().upstreamLatency(call.methodLabel(), call.nanosSinceSent());
        ReplyObserver told = call.takeObserver();
        String decision = null;
        if (told != null) {
            try {
                told.onReply(response.status(), response.body().duplicate());
                decision = told.decision();
            } catch (RuntimeException e) {
                LOG.warn("reply observer failed on {}: {}", call.methodLabel(), e.toString());
            }
        }
        if (!client.isActive()) {
            response.release();
            connection.finishCall(RelayState.Phase.CLOSING);
            return;
        }
        // Hop-by-hop headers were spliced out as the response was read (upstream.ResponseHead).
        connection.answers().write(response, decision);
    }

    /** Tells the observer of a call that will never be sent (taken back from the wait for a connection). */
    void takeBack() {
        ReplyObserver told = call.takeObserver();
        if (told != null) {
            try {
                told.onNotForwarded();
            } catch (RuntimeException e) {
                LOG.warn("reply observer failed on {}: {}", call.methodLabel(), e.toString());
            }
        }
    }

    @Override
    public void onFailure(UpstreamFailure failure) {
        ProxyReplies.Reply reply = relay.replies().upstreamFailed(failure);
        ReplyObserver told = call.takeObserver();
        if (told != null) {
            try {
                told.onFailure(failure);
            } catch (RuntimeException e) {
                LOG.warn("reply observer failed on {}: {}", call.methodLabel(), e.toString());
            }
        }
        if (client.isActive()) {
            connection.answers().answer(reply);
        } else {
            relay.metrics().error(reply.kind());
            connection.finishCall(RelayState.Phase.CLOSING);
        }
    }
}
