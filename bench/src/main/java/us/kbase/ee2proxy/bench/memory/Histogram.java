package us.kbase.ee2proxy.bench.memory;

import java.util.HashMap;
import java.util.Map;

/** A parsed {@code jcmd PID GC.class_histogram}: instances and bytes of live objects per class. */
record Histogram(Map<String, long[]> classes, long totalBytes, long totalInstances) {

    static Histogram parse(String text) {
        Map<String, long[]> classes = new HashMap<>();
        long bytes = 0;
        long instances = 0;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":") && Character.isDigit(f[0].charAt(0))) {
                // "   1:   12345   678900  [B (java.base@17.0.15)": the module is dropped
                classes.merge(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            } else if (f.length == 3 && f[0].equals("Total")) {
                instances = Long.parseLong(f[1]);
                bytes = Long.parseLong(f[2]);
            }
        }
        return new Histogram(classes, bytes, instances);
    }

    long[] of(String name) {
        return classes.getOrDefault(name, new long[2]);
    }
}
