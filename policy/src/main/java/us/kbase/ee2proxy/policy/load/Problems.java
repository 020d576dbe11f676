package us.kbase.ee2proxy.policy.load;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem of one file, so the admin sees them all at once. */
final class Problems {
    private final String source;
    private final List<Problem> list = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void add(YamlTree.At at, String what, String fix) {
        list.add(new Problem(source, at.line(), at.column(), what, fix));
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    /** In file order, so an admin can work through them top to bottom. */
    List<Problem> list() {
        return list.stream()
                .sorted(java.util.Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column))
                .toList();
    }
}
