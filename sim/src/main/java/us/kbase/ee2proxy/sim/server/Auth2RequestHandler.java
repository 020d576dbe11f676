package us.kbase.ee2proxy.sim.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import us.kbase.ee2proxy.sim.auth.Identity;
import us.kbase.ee2proxy.sim.auth.TokenRegistry;

/**
 * kbase/auth2's three endpoints that EE2 and the proxy use, answered from the token registry:
 * {@code GET /api/V2/token}, {@code GET /api/V2/me} and the legacy
 * {@code POST /api/legacy/KBase/Sessions/Login}. Other requests go on to EE2.
 */
@Sharable
final class Auth2RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api/";
    static final String TOKEN = "/api/V2/token";
    static final String ME = "/api/V2/me";
    static final String LEGACY_LOGIN = "/api/legacy/KBase/Sessions/Login";
    private static final long CACHE_FOR = 300_000;

    private final TokenRegistry tokens;

    Auth2RequestHandler(TokenRegistry tokens) {
        super(false);
        this.tokens = tokens;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.uri().startsWith(API)) {
            // EE2's traffic (nearly all of it) passes without parsing the URI.
            ctx.fireChannelRead(req);
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        boolean get = req.method().equals(HttpMethod.GET);
        boolean post = req.method().equals(HttpMethod.POST);
        try {
            if (get && path.equals(TOKEN)) {
                reply(ctx, req, token(req.headers().get(HttpHeaderNames.AUTHORIZATION)));
            } else if (get && path.equals(ME)) {
                reply(ctx, req, me(req.headers().get(HttpHeaderNames.AUTHORIZATION)));
            } else if (post && path.equals(LEGACY_LOGIN)) {
                reply(ctx, req, legacyLogin(req.content().toString(StandardCharsets.UTF_8)));
            } else {
                ctx.fireChannelRead(req.retain());
            }
        } finally {
            req.release();
        }
    }

    private record Answer(int status, ObjectNode body) {}

    private Answer token(String token) {
        Identity id = tokens.find(token);
        if (id == null) {
            return invalid(token);
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "Login");
        o.put("id", id.tokenId());
        o.put("expires", id.expires());
        o.put("created", id.created());
        o.putNull("name");
        o.put("user", id.user());
        o.putObject("custom");
        o.put("cachefor", CACHE_FOR);
        return new Answer(200, o);
    }

    private Answer me(String token) {
        Identity id = tokens.find(token);
        if (id == null) {
            return invalid(token);
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("created", id.created());
        o.put("lastlogin", id.created());
        o.put("display", id.user());
        o.putArray("roles");
        ArrayNode custom = o.putArray("customroles");
        id.customRoles().forEach(custom::add);
        o.putArray("policyids");
        o.put("user", id.user());
        o.put("local", false);
        o.put("email", id.user() + "@example.org");
        o.putArray("idents");
        return new Answer(200, o);
    }

    /** Form {@code token=...&fields=user_id,name,email}: {"user_id": ...} and the fields asked for. */
    private Answer legacyLogin(String form) {
        QueryStringDecoder q = new QueryStringDecoder(form, false);
        List<String> token = q.parameters().get("token");
        Identity id = token == null || token.isEmpty() ? null : tokens.find(token.get(0));
        if (id == null) {
            return invalid(token == null || token.isEmpty() ? null : token.get(0));
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("user_id", id.user());
        List<String> fields = q.parameters().getOrDefault("fields", List.of());
        String wanted = String.join(",", fields);
        if (wanted.contains("name")) {
            o.put("name", id.user());
        }
        if (wanted.contains("email")) {
            o.put("email", id.user() + "@example.org");
        }
        return new Answer(200, o);
    }

    /** auth2's error shape: 10010 without a token, 10020 for a token it does not know. */
    private static Answer invalid(String token) {
        boolean none = token == null || token.isEmpty();
        ObjectNode o = JSON.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("httpcode", 401);
        e.put("httpstatus", "Unauthorized");
        e.put("appcode", none ? 10010 : 10020);
        e.put("apperror", none ? "No authentication token" : "Invalid token");
        e.put("message", none ? "10010 No authentication token" : "10020 Invalid token");
        e.put("callid", String.format("%016d", ThreadLocalRandom.current().nextLong(1L, 9_999_999_999_999_999L)));
        e.put("time", System.currentTimeMillis());
        return new Answer(401, o);
    }

    private static void reply(ChannelHandlerContext ctx, FullHttpRequest req, Answer a) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(a.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(a.status()), Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (HttpUtil.isKeepAlive(req)) {
            ctx.writeAndFlush(res, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
