package us.kbase.ee2proxy.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.metrics.ProxyMetrics;
import us.kbase.ee2proxy.status.OperatorPages;

/**
 * {@code GET /metrics} (Prometheus text), {@code GET /health} (readiness: 503 until the ledger
 * answers), {@code GET /health/live} (liveness), when a reloadable policy is
 * configured, {@code POST /admin/policy/reload}, and with admission the operator's views and
 * actions ({@link OperatorPages}: /console, /state.json, /waiting, POST /calls/ID/ACTION).
 */
@ChannelHandler.Sharable
final class AdminRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminRequestHandler.class);

    static final String POLICY_RELOAD = "/admin/policy/reload";

    private final ProxyMetrics metrics;
    private final PolicyReloadAction policyReload;
    private final Readiness readiness;
    /** The operator's views and actions on waiting calls; null without admission. */
    private final OperatorPages operator;
    private final boolean exposed;

    AdminRequestHandler(ProxyMetrics metrics, PolicyReloadAction policyReload) {
        this(metrics, policyReload, Readiness.ALWAYS, null, false);
    }

    AdminRequestHandler(ProxyMetrics metrics, PolicyReloadAction policyReload, Readiness readiness, OperatorPages operator,
            boolean exposed) {
        this.metrics = metrics;
        this.policyReload = policyReload;
        this.readiness = readiness;
        this.operator = operator;
        this.exposed = exposed;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (path.equals(POLICY_RELOAD) && policyReload.available()) {
            if (!HttpMethod.POST.equals(request.method())) {
                send(ctx, text(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                        "POST only\n".getBytes(StandardCharsets.UTF_8)), keepAlive);
                return;
            }
            String token = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            // Answered when auth2 and the reload are done, from their thread: Netty hands the write to the loop.
            policyReload.run(token).whenComplete((answer, error) -> send(ctx, error == null
                    ? text(answer.status(), "application/json", answer.json())
                    : text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                            (error + "\n").getBytes(StandardCharsets.UTF_8)), keepAlive));
            return;
        }
        if (operator != null && OperatorPages.serves(path)) {
            // Reads what it needs of the request now; answered when auth2 (if asked) is done.
            operator.answer(request, exposed).whenComplete((answer, error) -> send(ctx, answer != null ? answer
                    : text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                            (error + "\n").getBytes(StandardCharsets.UTF_8)), keepAlive));
            return;
        }
        FullHttpResponse response;
        if (!HttpMethod.GET.equals(request.method())) {
            response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "GET only\n".getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/metrics")) {
            response = text(HttpResponseStatus.OK, ProxyMetrics.prometheusContentType(), metrics.prometheusText());
        } else if (path.equals("/health")) {
            response = health(readiness.now());
        } else if (path.equals("/health/live")) {
            // Liveness: the process answers. Never tied to Redis, or an outage would restart every replica.
            response = text(HttpResponseStatus.OK, "application/json", "{\"status\": \"ok\"}".getBytes(StandardCharsets.UTF_8));
        } else {
            response = text(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                    (operator != null ? "not found; try /console, /state.json, /waiting, /metrics, /health or /health/live\n"
                            : "not found; try /metrics, /health or /health/live\n").getBytes(StandardCharsets.UTF_8));
        }
        send(ctx, response, keepAlive);
    }

    /**
     * Readiness: 200 {@code {"status": "ok"[, "ledger": ...]}} when this replica can decide, 503
     * {@code {"status": "not ready", "reason": ...}} until then, so a load balancer or Kubernetes
     * sends it nothing before its ledger answers.
     */
    static FullHttpResponse health(Readiness.Status status) {
        StringBuilder json = new StringBuilder("{\"status\": \"").append(status.ready() ? "ok" : "not ready").append('"');
        if (status.ledger() != null) {
            json.append(status.ready() ? ", \"ledger\": " : ", \"reason\": ");
            quote(json, status.ledger());
        }
        json.append('}');
        return text(status.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void quote(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close(); // timeouts.adminIdle: an admin connection that says nothing gives its file descriptor back
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A scrape that fails must still be answered, or the scraper hangs until its timeout.
        LOG.warn("admin request failed: {}", cause.toString());
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                    (cause + "\n").getBytes(StandardCharsets.UTF_8))).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }
}
