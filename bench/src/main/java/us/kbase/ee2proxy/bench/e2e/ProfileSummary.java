package us.kbase.ee2proxy.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * What a JFR recording of the proxy says about where its CPU goes: the {@code jdk.ExecutionSample}
 * events summarised as the hottest methods by self time (top frame) and, for our own code and
 * Netty's pipeline, by inclusive time (anywhere on the stack). Written as markdown.
 *
 * <pre>java -cp bench/target/benchmarks.jar us.kbase.ee2proxy.bench.e2e.ProfileSummary proxy.jfr OUT.md</pre>
 */
public final class ProfileSummary {
    private static final int TOP = 20;

    private ProfileSummary() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ProfileSummary RECORDING.jfr OUT.md");
            System.exit(2);
        }
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> owner = new HashMap<>();
        int samples = 0;
        int nativeSamples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (e.getEventType().getName().equals("jdk.NativeMethodSample")) {
                nativeSamples++;
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            self.merge(name(frames.get(0)), 1, Integer::sum);
            owner.merge(owner(frames), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (seen.add(n)) {
                    inclusive.merge(n, 1, Integer::sum);
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("Profile of our proxy: ").append(samples).append(" JFR execution samples of threads running Java, ")
                .append(nativeSamples).append(" native-method samples (threads in native code, mostly epoll_wait)"
                        + " (settings=profile).\n\n");
        table(md, "hottest methods, self", self, samples, n -> true);
        table(md, "self time charged to the innermost Netty or proxy method on the stack", owner, samples, n -> true);
        table(md, "our code and the Netty pipeline, inclusive", inclusive, samples,
                n -> n.startsWith("us.kbase.") || n.startsWith("io.netty.handler.") || n.startsWith("com.codahale."));
        Files.writeString(Path.of(args[1]), md.toString());
    }

    private static void table(StringBuilder md, String title, Map<String, Integer> counts, int samples,
            java.util.function.Predicate<String> keep) {
        md.append("| ").append(title).append(" | share of samples |\n|---|---:|\n");
        counts.entrySet().stream().filter(e -> keep.test(e.getKey()))
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(TOP)
                .forEach(e -> md.append("| `").append(e.getKey()).append("` | ")
                        .append(String.format(Locale.ROOT, "%.1f%%", 100.0 * e.getValue() / Math.max(1, samples)))
                        .append(" |\n"));
        md.append('\n');
    }

    /** The innermost frame of our code or Netty's: who asked for the JDK work at the top. */
    private static String owner(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String n = name(f);
            if (n.startsWith("us.kbase.") || n.startsWith("io.netty.")) {
                return n;
            }
        }
        return name(frames.get(0));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
