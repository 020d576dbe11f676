package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * Issue 16, item 7: only auth2's own invalid-token answer (HTTP 401, appcode 10020) lets a
 * job-creating call through uncounted. Any other answer (a 404 from a wrong path or a gateway, a
 * 400, 403 or 405) means the token could not be verified: EE2, which caches tokens, might still
 * accept it, so the call is answered by the proxy and never reaches EE2 uncounted. The
 * simulator is EE2; a scripted server is auth2, answering by token.
 */
class Auth2AnswersTest {
    private static final String INVALID = "{\"error\": {\"httpcode\": 401, \"httpstatus\": \"Unauthorized\", \"appcode\": 10020, "
            + "\"apperror\": \"Invalid token\", \"message\": \"10020 Invalid token\", \"callid\": \"1\", \"time\": 1}}";

    /** auth2, answering by token: started with the class, before the proxy, which is told where it is. */
    private static final TestUpstream AUTH2 = startAuth2();

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(b -> b.defaultSeconds(3600).token("tok-404", "ina")
                    .token("tok-400", "ina").token("tok-403", "ina").token("tok-405", "ina").token("tok-401-other", "ina"))
            .admission(PolicyGateTest.POLICY).admissionConfig(a -> a.withAuth(AUTH2.url())).build();

    private static TestUpstream startAuth2() {
        try {
            return new TestUpstream((ctx, req) -> {
                String token = req.headers().get("Authorization");
                HttpResponseStatus status = switch (token) {
                    case "tok-404" -> HttpResponseStatus.NOT_FOUND;
                    case "tok-400" -> HttpResponseStatus.BAD_REQUEST;
                    case "tok-403" -> HttpResponseStatus.FORBIDDEN;
                    case "tok-405" -> HttpResponseStatus.METHOD_NOT_ALLOWED;
                    default -> HttpResponseStatus.UNAUTHORIZED;
                };
                String body = token.equals("tok-invalid") ? INVALID
                        : token.equals("tok-401-other") ? "{\"error\": {\"httpcode\": 401, \"appcode\": 10000, \"message\": \"10000 Authentication failed\"}}"
                        : "{\"error\": {\"httpcode\": " + status.code() + ", \"message\": \"" + status.reasonPhrase() + "\"}}";
                ctx.writeAndFlush(TestUpstream.json(status, body));
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopAuth2() {
        AUTH2.close();
    }

    @Test
    void anAuth2AnswerOtherThanItsInvalidTokenErrorIsCouldNotVerify() throws Exception {
        long forwarded = proxy.simulator().calls(PolicyGateTest.RUN_JOB);
        for (String token : new String[] {"tok-404", "tok-400", "tok-403", "tok-405", "tok-401-other"}) {
            RawHttp.Response r = Ee2Calls.send(proxy.url(), token, Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of()));

            assertThat(r.status()).as(token).isEqualTo(500);
            assertThat(r.header("Retry-After")).as(token).isNotNull();
            assertThat(Ee2Calls.errorMessage(r)).as(token)
                    .startsWith("ee2-admission-proxy could not verify your token with KBase auth")
                    .contains("the job was not submitted");
        }
        assertThat(proxy.simulator().calls(PolicyGateTest.RUN_JOB)).as("none reached EE2").isEqualTo(forwarded);
        assertThat(proxy.admissionCounter("auth.unavailable")).isGreaterThanOrEqualTo(5);
    }

    @Test
    void auth2sOwnInvalidTokenAnswerLetsEe2RefuseTheCall() throws Exception {
        long forwarded = proxy.simulator().calls(PolicyGateTest.RUN_JOB);

        RawHttp.Response r = Ee2Calls.send(proxy.url(), "tok-invalid", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of()));

        assertThat(r.status()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(r)).contains("Token validation failed");
        assertThat(proxy.simulator().calls(PolicyGateTest.RUN_JOB)).isEqualTo(forwarded + 1);
    }
}
