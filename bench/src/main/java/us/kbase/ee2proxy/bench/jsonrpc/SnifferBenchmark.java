package us.kbase.ee2proxy.bench.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import us.kbase.ee2proxy.jsonrpc.JsonRpcSniffer;
import us.kbase.ee2proxy.jsonrpc.SniffResult;

/**
 * What reading a request costs the proxy: {@link JsonRpcSniffer} on a pass-through call (it stops
 * at the method and job id) and on a run_job (it reads every admission field), from a heap array
 * and from a pooled direct buffer as Netty hands it over, against Jackson building the whole tree.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SnifferBenchmark {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Param({"200", "2048", "65536", "1048576"})
    int bodyBytes;

    @Param({"check_job_canceled", "run_job"})
    String call;

    private byte[] body;
    private ByteBuf direct;

    @Setup
    public void setUp() {
        body = RpcBodies.of(call, bodyBytes);
        direct = PooledByteBufAllocator.DEFAULT.directBuffer(body.length).writeBytes(body);
        if (!(JsonRpcSniffer.sniff(body) instanceof SniffResult.Call c) || c.method().createsJobs() != call.equals("run_job")) {
            throw new IllegalStateException("the " + call + " body does not sniff as that call");
        }
    }

    @TearDown
    public void tearDown() {
        direct.release();
    }

    @Benchmark
    public SniffResult sniffHeapArray() {
        return JsonRpcSniffer.sniff(body);
    }

    @Benchmark
    public SniffResult sniffDirectBuffer() {
        return JsonRpcSniffer.sniff(direct);
    }

    @Benchmark
    public JsonNode jacksonReadTree() throws IOException {
        return JACKSON.readTree(body);
    }
}
