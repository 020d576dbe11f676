package us.kbase.ee2proxy.bench.status;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@link StatusViewBenchmark}'s operations timed by the calling thread's CPU time as well as the
 * wall clock: on a shared, overloaded machine the wall clock mostly measures the wait for a core,
 * while CPU time per operation stays what the view itself costs.
 *
 * <pre>{@code java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.status.StatusViewCpuRun [seconds]}</pre>
 */
public final class StatusViewCpuRun {
    private StatusViewCpuRun() {}

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.println("| waiting calls | operation | CPU us/op | wall us/op | ops |");
        System.out.println("|---:|---|---:|---:|---:|");
        for (int waiting : new int[] {100, 10_000}) {
            StatusViewBenchmark b = new StatusViewBenchmark();
            b.waiting = waiting;
            b.fill();
            Map<String, Callable<?>> ops = Map.of("console (all users, JSON)", b::console,
                    "scientist (one user, JSON)", b::scientist, "decided (feed one decision)", () -> {
                        b.decided();
                        return null;
                    });
            for (var op : ops.entrySet()) {
                run(op.getValue(), seconds, threads); // warm-up
                long cpu0 = threads.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                long n = run(op.getValue(), seconds, threads);
                long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                long wall = System.nanoTime() - wall0;
                System.out.printf("| %d | %s | %.1f | %.1f | %d |%n", waiting, op.getKey(), cpu / 1e3 / n, wall / 1e3 / n, n);
            }
            b.close();
        }
    }

    private static long run(Callable<?> op, long seconds, ThreadMXBean threads) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long n = 0;
        while (System.nanoTime() < end) {
            op.call();
            n++;
        }
        return n;
    }
}
