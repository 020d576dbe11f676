package us.kbase.ee2proxy.policy;

import java.util.regex.Pattern;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * One entry of {@code parents.apps}: which jobs are parallel (KBParallel-style) apps.
 *
 * <ul>
 *   <li>{@code kb_Bowtie2} (no dot, no slash): every method of the module;
 *   <li>{@code kb_BatchApp.run_batch}: one method ({@code method} of RunJobParams);
 *   <li>{@code kb_Bowtie2/align_reads_to_assembly_app}: an app. It matches a job whose {@code app_id}
 *       names it in either form EE2 accepts ({@code Module/app} or {@code Module.app}), and also a
 *       job whose {@code method} is {@code Module.app} whatever its {@code app_id} says (none, the
 *       module alone, another form): EE2 runs the method, and takes {@code app_id} only as a label.
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
        return switch (target) {
            case MODULE -> matches(job.module());
            case METHOD -> matches(job.method());
            case APP_ID -> matchesAsApp(job.appId()) || matchesAsApp(job.method());
        };
    }

    private boolean matches(String subject) {
        return subject != null && regex.matcher(subject).matches();
    }

    /** "Module.app" read as "Module/app", the form an app pattern is written in. */
    private boolean matchesAsApp(String subject) {
        return subject != null && regex.matcher(subject.replace('.', '/')).matches();
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
