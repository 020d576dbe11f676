package us.kbase.ee2proxy.policy.load;

import java.util.Objects;

/**
 * One thing wrong with a policy file, where it is, and how to fix it.
 *
 * @param source the file name as given to the loader
 * @param line 1-based line, 0 when the problem concerns the whole file
 * @param column 1-based column, 0 when unknown
 * @param what what is wrong, naming the key ("parents.maxPerUser must be at least 1, got 0")
 * @param fix what to do about it ("set it to 1 or more; KBase uses 5")
 */
public record Problem(String source, int line, int column, String what, String fix) {
    public Problem {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(fix, "fix");
    }

    /** {@code policy.yaml:12:5: what} and, on the next line, {@code   fix: ...}. */
    @Override
    public String toString() {
        return source + ":" + line + ":" + column + ": " + what + System.lineSeparator() + "    fix: " + fix;
    }
}
