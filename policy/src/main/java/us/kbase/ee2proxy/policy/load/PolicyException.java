package us.kbase.ee2proxy.policy.load;

import java.util.List;
import java.util.stream.Collectors;

/** A policy file that cannot be used, with every problem found in it (not just the first). */
public class PolicyException extends Exception {
    private final List<Problem> problems;

    public PolicyException(List<Problem> problems) {
        super(render(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a PolicyException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String render(List<Problem> problems) {
        return problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in the policy:"
                + System.lineSeparator()
                + problems.stream().map(Problem::toString).collect(Collectors.joining(System.lineSeparator()));
    }
}
