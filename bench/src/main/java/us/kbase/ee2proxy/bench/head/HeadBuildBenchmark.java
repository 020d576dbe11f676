package us.kbase.ee2proxy.bench.head;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import us.kbase.ee2proxy.frontend.HeadPaths;
import us.kbase.ee2proxy.upstream.Ee2Request;

/**
 * What building the request for EE2 costs (issue 15): the head re-written from Netty's decoded
 * headers ({@code rewrite}, as before) against the client's head bytes spliced ({@code splice}), on
 * a job runner's check_job_canceled (8 headers, a token, a 150-byte body) as it reaches the proxy
 * behind KBase's front door. The {@code decodeAnd...} pair adds decoding (Netty's decoder and the
 * proxy's aggregator on an EmbeddedChannel), with the decoder that keeps the head for the splice;
 * {@code decodePlain} and {@code decodeKeepingHead} are the decoding alone.
 * Every buffer made is released in the operation, as the proxy does once the request is written.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HeadBuildBenchmark {
    private static final String CLIENT_IP = "10.58.0.17";
    static final String BODY = "{\"method\": \"execution_engine2.check_job_canceled\", \"params\": "
            + "[{\"job_id\": \"65a1f0c2e4b0d3a9f1c27b84\"}], \"version\": \"1.1\", \"id\": \"8231649075123488\"}";
    /** What a job runner's Python client sends, as nginx in front of EE2 passes it on. */
    static final String HEAD = "POST /services/ee2 HTTP/1.1\r\n"
            + "Host: kbase.us\r\n"
            + "User-Agent: python-requests/2.31.0\r\n"
            + "Accept-Encoding: gzip, deflate\r\n"
            + "Accept: */*\r\n"
            + "Connection: keep-alive\r\n"
            + "Content-Length: " + BODY.length() + "\r\n"
            + "Authorization: 7ZQ4XKDTUM3BNWJ2OSRYALEIH6VCPGF5\r\n"
            + "X-Forwarded-For: 192.0.2.44\r\n"
            + "\r\n";

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private HeadPaths paths;
    private ByteBuf wire;
    private FullHttpRequest decoded;

    @Setup
    public void setUp() {
        paths = new HeadPaths(URI.create("http://ee2.internal:5000/"));
        byte[] bytes = (HEAD + BODY).getBytes(StandardCharsets.ISO_8859_1);
        wire = alloc.directBuffer(bytes.length).writeBytes(bytes);
        decoded = paths.decodeKeepingHead(wire.retainedDuplicate());
        if (!HeadPaths.kept(decoded)) {
            throw new IllegalStateException("the head was not kept");
        }
        String spliced = headOf(paths.build(decoded, CLIENT_IP, alloc));
        ByteBuf rewritten = paths.rewrite(decoded, CLIENT_IP, alloc);
        String old = rewritten.toString(StandardCharsets.ISO_8859_1);
        rewritten.release();
        if (!spliced.equals(old)) { // here both ways give the same bytes: what is compared is their cost
            throw new IllegalStateException("the spliced head differs from the re-written one:\n" + spliced + "\n" + old);
        }
    }

    private static String headOf(Ee2Request request) {
        String text = request.head().toString(StandardCharsets.ISO_8859_1);
        request.release();
        return text;
    }

    @TearDown
    public void tearDown() {
        decoded.release();
        wire.release();
        paths.close();
    }

    @Benchmark
    public int rewrite() {
        ByteBuf head = paths.rewrite(decoded, CLIENT_IP, alloc);
        int n = head.readableBytes();
        head.release();
        return n;
    }

    @Benchmark
    public int splice() {
        Ee2Request request = paths.build(decoded, CLIENT_IP, alloc);
        int n = request.head().readableBytes();
        request.release();
        return n;
    }

    @Benchmark
    public int decodeAndRewrite() {
        FullHttpRequest request = paths.decodePlain(wire.retainedDuplicate());
        ByteBuf head = paths.rewrite(request, CLIENT_IP, alloc);
        int n = head.readableBytes();
        head.release();
        request.release();
        return n;
    }

    @Benchmark
    public int decodeAndSplice() {
        FullHttpRequest request = paths.decodeKeepingHead(wire.retainedDuplicate());
        Ee2Request ee2 = paths.build(request, CLIENT_IP, alloc);
        int n = ee2.head().readableBytes();
        ee2.release();
        request.release();
        return n;
    }

    @Benchmark
    public int decodePlain() {
        FullHttpRequest request = paths.decodePlain(wire.retainedDuplicate());
        int n = request.headers().size();
        request.release();
        return n;
    }

    @Benchmark
    public int decodeKeepingHead() {
        FullHttpRequest request = paths.decodeKeepingHead(wire.retainedDuplicate());
        int n = request.headers().size();
        request.release();
        return n;
    }
}
