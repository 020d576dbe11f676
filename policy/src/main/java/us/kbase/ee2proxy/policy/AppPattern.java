package us.kbase.ee2proxy.policy;

import java.util.regex.Pattern;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * One entry of {@code parents.apps}: which jobs are parallel (KBParallel-style) apps.
 *
 * <ul>
 *   <li>{@code kb_Bowtie2} (no dot, no slash): every method of the module;
 *   <li>{@code kb_BatchApp.run_batch}: one method ({@code method} of RunJobParams);
 *   <li>{@code kb_Bowtie2/align_reads_to_assembly_app}: an {@code app_id}.
 * </ul>
 * Each may use the globs {@code *} (any run of characters) and {@code ?} (one character).
 * Matching is case-sensitive, as KBase module names are.
 */
public final class AppPattern {

    /** Which field of the request a pattern is matched against. */
    public enum Target { MODULE, METHOD, APP_ID }

    private final String text;
    private final Target target;
    private final Pattern regex;

    private AppPattern(String text) {
        this.text = text;
        this.target = text.contains("/") ? Target.APP_ID : text.contains(".") ? Target.METHOD : Target.MODULE;
        this.regex = globToRegex(text);
    }

    public static AppPattern of(String text) {
        return new AppPattern(text);
    }

    public String text() {
        return text;
    }

    public Target target() {
        return target;
    }

    public boolean matches(RunJobParams job) {
        String subject = switch (target) {
            case MODULE -> job.module();
            case METHOD -> job.method();
            case APP_ID -> job.appId();
        };
        return subject != null && regex.matcher(subject).matches();
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AppPattern other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
