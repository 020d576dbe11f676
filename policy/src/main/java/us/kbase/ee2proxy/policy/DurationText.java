package us.kbase.ee2proxy.policy;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as admins write them in the policy ({@code 90s}, {@code 10m}, {@code 1h30m},
 * {@code 500ms}) and as people read them in messages ("10 minutes", "1 minute 30 seconds").
 */
public final class DurationText {
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|h|m|s))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|h|m|s)");

    private DurationText() {}

    /** {@code 1h30m} -> 90 minutes; empty when the text is not a sequence of number+unit. */
    public static Optional<Duration> parse(String text) {
        String t = text.strip();
        if (!WHOLE.matcher(t).matches()) {
            return Optional.empty();
        }
        Duration d = Duration.ZERO;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (n > 1_000_000_000L) {
                return Optional.empty();
            }
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
        }
        return Optional.of(d);
    }

    /** The policy's own notation: {@code 10m}, {@code 90s} -> {@code 1m30s}, {@code 250ms}. */
    public static String compact(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long h = d.toHours();
        int m = d.toMinutesPart();
        int s = d.toSecondsPart();
        int ms = d.toMillisPart();
        if (h > 0) sb.append(h).append('h');
        if (m > 0) sb.append(m).append('m');
        if (s > 0) sb.append(s).append('s');
        if (ms > 0) sb.append(ms).append("ms");
        return sb.toString();
    }

    /**
     * A limit or a time still to come, for people: "10 minutes", "1 minute 30 seconds",
     * "45 seconds", "less than a second". Seconds are rounded up, so "waits at most ..." never
     * promises less than the limit allows. For time already spent use {@link #elapsedWords}.
     */
    public static String words(Duration d) {
        return wholeSeconds(d.getSeconds() + (d.getNano() > 0 ? 1 : 0));
    }

    /**
     * Time already spent, for people ("waited 8 seconds"): whole seconds, rounded down, so a
     * message reports what happened (8.03 s is "8 seconds", not 9); under a second is "less than
     * a second".
     */
    public static String elapsedWords(Duration d) {
        return wholeSeconds(d.isNegative() ? 0 : d.getSeconds());
    }

    private static String wholeSeconds(long secs) {
        if (secs <= 0) {
            return "less than a second";
        }
        long h = secs / 3600;
        long m = secs % 3600 / 60;
        long s = secs % 60;
        StringBuilder sb = new StringBuilder();
        append(sb, h, "hour");
        append(sb, m, "minute");
        append(sb, s, "second");
        return sb.toString();
    }

    private static void append(StringBuilder sb, long n, String unit) {
        if (n == 0) {
            return;
        }
        if (sb.length() > 0) {
            sb.append(' ');
        }
        sb.append(n).append(' ').append(unit).append(n == 1 ? "" : "s");
    }
}
