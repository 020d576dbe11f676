package us.kbase.ee2proxy.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Ee2ErrorReplyTest {

    @Test
    void serverErrorIsShapedAsPythonDumpsEe2s() {
        assertThat(Ee2ErrorReply.serverError("limit \"5\" reached\n caf\u00e9").withId("\"7364829105\"").toString())
                .isEqualTo("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": "
                        + "\"limit \\\"5\\\" reached\\n caf\\u00e9\", \"error\": null}, \"id\": \"7364829105\", \"version\": \"1.1\"}");
    }

    @Test
    void parseErrorHasNoIdKeyLikeEe2s() {
        assertThat(Ee2ErrorReply.parseError("Expecting value: line 1 column 1 (char 0)").toString())
                .isEqualTo("{\"error\": {\"code\": -32700, \"name\": \"Parse error\", \"message\": "
                        + "\"Expecting value: line 1 column 1 (char 0)\", \"error\": null}, \"version\": \"1.1\"}");
    }

    @Test
    void unknownIdIsNull() {
        assertThat(Ee2ErrorReply.serverError("m").toString())
                .isEqualTo("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": \"m\", \"error\": null}, "
                        + "\"id\": null, \"version\": \"1.1\"}");
    }

    @Test
    void theCallsEnvelopeIsEchoedAsEe2EchoesIt() {
        assertThat(Ee2ErrorReply.serverError("m").withEnvelope(new RpcEnvelope("12", null, "\"2.0\"")).withTrace("tb").toString())
                .isEqualTo("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": \"m\", \"data\": \"tb\"}, "
                        + "\"id\": 12, \"jsonrpc\": \"2.0\"}");
        assertThat(Ee2ErrorReply.serverError("m").withEnvelope(new RpcEnvelope("\"a\"", null, null)).toString())
                .endsWith("\"id\": \"a\", \"version\": \"1.0\"}");
    }

    @Test
    void responseIsHttp500WithEe2sHeadersInOrderThenExtras() {
        FullHttpResponse r = Ee2ErrorReply.serverError("wait").withId("1").withHeader("Retry-After", "60")
                .toResponse(ByteBufAllocator.DEFAULT, null);
        try {
            assertThat(r.status().code()).isEqualTo(500);
            assertThat(r.status().reasonPhrase()).isEqualTo("Internal Server Error");
            assertThat(r.headers().names()).containsExactly("Access-Control-Allow-Origin", "Access-Control-Allow-Headers",
                    "content-type", "content-length", "Retry-After");
            assertThat(r.headers().get("content-type")).isEqualTo("application/json");
            assertThat(r.headers().get("Access-Control-Allow-Headers")).isEqualTo("authorization");
            assertThat(r.headers().getInt("content-length")).isEqualTo(r.content().readableBytes());
            assertThat(r.headers().get("Retry-After")).isEqualTo("60");
            assertThat(r.content().toString(StandardCharsets.US_ASCII)).endsWith("\"id\": 1, \"version\": \"1.1\"}");
        } finally {
            r.release();
        }
    }
}
