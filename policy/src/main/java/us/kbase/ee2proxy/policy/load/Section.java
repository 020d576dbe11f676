package us.kbase.ee2proxy.policy.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import us.kbase.ee2proxy.policy.DurationText;
import us.kbase.ee2proxy.policy.load.YamlTree.At;
import us.kbase.ee2proxy.policy.load.YamlTree.Entry;
import us.kbase.ee2proxy.policy.load.YamlTree.Mapping;
import us.kbase.ee2proxy.policy.load.YamlTree.Scalar;
import us.kbase.ee2proxy.policy.load.YamlTree.Sequence;

/**
 * Typed reading of one YAML mapping of the policy. Every getter records the key as known; a
 * wrong value is reported and read as absent (null), so reading goes on and finds every problem.
 * {@link #finish()} reports the keys nobody asked for, with the nearest known key as the fix.
 */
final class Section {
    private final Mapping mapping;
    private final String path;
    private final Problems problems;
    private final Map<String, Entry> byKey = new HashMap<>();
    private final Set<String> known = new LinkedHashSet<>();

    Section(Mapping mapping, String path, Problems problems) {
        this.mapping = mapping;
        this.path = path;
        this.problems = problems;
        Set<String> seen = new java.util.HashSet<>();
        for (Entry e : mapping.entries()) {
            if (!seen.add(e.key())) {
                problems.add(e.keyAt(), name(e.key()) + " appears twice in the same mapping",
                        "keep one of them: YAML would silently use the last one");
            }
            byKey.put(e.key(), e); // the last one wins, as in YAML loaders
        }
    }

    At at() {
        return mapping.at();
    }

    /** Where a key is written, or null when it is absent. */
    At keyAt(String key) {
        Entry e = byKey.get(key);
        return e == null ? null : e.keyAt();
    }

    boolean has(String key) {
        known.add(key);
        return byKey.containsKey(key);
    }

    /** The full dotted name of a key in this section, as messages show it. */
    String name(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    Section section(String key) {
        known.add(key);
        Entry e = byKey.get(key);
        if (e == null) {
            return null;
        }
        if (e.value() instanceof Mapping m) {
            return new Section(m, name(key), problems);
        }
        wrongType(e, "a mapping of keys", "put its keys on the lines below " + key + ":, indented");
        return null;
    }

    Integer integer(String key, int min, int max, String fix) {
        Entry e = entry(key);
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof Scalar s) || s.token() != com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT) {
            String hint = e.value() instanceof Scalar s2 && s2.isString() && s2.text().strip().matches("-?\\d+")
                    ? "write the number without quotes: " + key + ": " + s2.text().strip()
                    : "write a whole number: " + fix;
            wrongType(e, "a whole number", hint);
            return null;
        }
        long v;
        try {
            v = Long.parseLong(s.text());
        } catch (NumberFormatException tooBig) {
            v = Long.MAX_VALUE;
        }
        if (v < min || v > max) {
            String range = max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
            problems.add(s.at(), name(key) + " must be " + range + ", got " + s.text(), fix);
            return null;
        }
        return (int) v;
    }

    /** A duration such as 10m; {@code maxExclusive} bounds it, with {@code why} said in the problem. */
    Duration duration(String key, Duration maxExclusive, String why, String fix) {
        Entry e = entry(key);
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof Scalar s) || s.token() == com.fasterxml.jackson.core.JsonToken.VALUE_NULL
                || !(s.isString() || s.token() == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT)) {
            wrongType(e, "a duration such as 10m or 90s", fix);
            return null;
        }
        if (!s.isString()) {
            problems.add(s.at(), name(key) + " is the bare number " + s.text() + ", which has no unit",
                    "write the unit: " + key + ": " + s.text() + "s for seconds, or " + s.text() + "m for minutes");
            return null;
        }
        Duration d = DurationText.parse(s.text()).orElse(null);
        if (d == null) {
            problems.add(s.at(), name(key) + " is \"" + s.text() + "\", which is not a duration",
                    "write a number and a unit (ms, s, m, h), e.g. 90s, 10m or 1h30m; " + fix);
            return null;
        }
        if (d.isZero() || d.isNegative()) {
            problems.add(s.at(), name(key) + " must be longer than zero, got " + s.text(), fix);
            return null;
        }
        if (maxExclusive != null && d.compareTo(maxExclusive) >= 0) {
            problems.add(s.at(), name(key) + " is " + DurationText.compact(d) + ", but it must be shorter than "
                    + DurationText.compact(maxExclusive) + ": " + why, fix);
            return null;
        }
        return d;
    }

    /**
     * A duration such as 10m, or the word {@code word} ("always"), read as {@code wordValue};
     * otherwise as {@link #duration}.
     */
    Duration durationOr(String key, String word, Duration wordValue, Duration maxExclusive, String why, String fix) {
        Entry e = byKey.get(key);
        if (e != null && e.value() instanceof Scalar s && s.isString() && s.text().strip().equalsIgnoreCase(word)) {
            known.add(key);
            return wordValue;
        }
        return duration(key, maxExclusive, why, "write " + word + " or a duration: " + fix);
    }

    /** One of an enum's constants, written in lower case ("hold"); case is not significant. */
    <E extends Enum<E>> E choice(String key, Class<E> type) {
        Entry e = entry(key);
        if (e == null) {
            return null;
        }
        String options = java.util.Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        if (e.value() instanceof Scalar s && s.isString()) {
            for (E c : type.getEnumConstants()) {
                if (c.name().equalsIgnoreCase(s.text().strip())) {
                    return c;
                }
            }
            problems.add(s.at(), name(key) + " is \"" + s.text() + "\", which is not one of: " + options,
                    "write one of: " + options);
            return null;
        }
        wrongType(e, "one of: " + options, "write one of: " + options);
        return null;
    }

    /** A list of non-empty strings (a single string is taken as a one-element list). */
    List<Located> strings(String key) {
        Entry e = entry(key);
        if (e == null) {
            return null;
        }
        List<Located> out = new ArrayList<>();
        if (e.value() instanceof Scalar s && s.isString()) {
            out.add(new Located(s.text().strip(), s.at()));
            return out;
        }
        if (!(e.value() instanceof Sequence seq)) {
            wrongType(e, "a list of names", "write a list: " + key + ": [a, b] or one \"- name\" per line below it");
            return null;
        }
        for (var item : seq.items()) {
            if (item instanceof Scalar s && s.isString() && !s.text().isBlank()) {
                out.add(new Located(s.text().strip(), s.at()));
            } else {
                problems.add(item.at(), "an item of " + name(key) + " is " + item.describe() + ", not a name",
                        "write each item as a plain name; remove empty items");
            }
        }
        return out;
    }

    /** A list of mappings, each read by the caller. */
    List<Mapping> mappings(String key, String example) {
        Entry e = entry(key);
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof Sequence seq)) {
            wrongType(e, "a list of entries", example);
            return null;
        }
        List<Mapping> out = new ArrayList<>();
        for (var item : seq.items()) {
            if (item instanceof Mapping m) {
                out.add(m);
            } else {
                problems.add(item.at(), "an entry of " + name(key) + " is " + item.describe() + ", not a mapping",
                        example);
            }
        }
        return out;
    }

    /** A string value, or null. */
    Located string(String key) {
        Entry e = entry(key);
        if (e == null) {
            return null;
        }
        if (e.value() instanceof Scalar s && s.isString() && !s.text().isBlank()) {
            return new Located(s.text().strip(), s.at());
        }
        wrongType(e, "a non-empty name", "write a name: " + key + ": some-name");
        return null;
    }

    /** Reports every key that no getter asked for. */
    void finish() {
        for (Entry e : mapping.entries()) {
            if (!known.contains(e.key())) {
                String nearest = nearest(e.key());
                String fix = nearest != null
                        ? "did you mean " + name(nearest) + "? Keys here: " + String.join(", ", known)
                        : "remove it; keys allowed here: " + String.join(", ", known);
                problems.add(e.keyAt(), "unknown key " + name(e.key()), fix);
            }
        }
    }

    Problems problems() {
        return problems;
    }

    private Entry entry(String key) {
        known.add(key);
        return byKey.get(key);
    }

    private void wrongType(Entry e, String expected, String fix) {
        problems.add(e.value().at().line() == 0 ? e.keyAt() : e.value().at(),
                name(e.key()) + " must be " + expected + ", but it is " + e.value().describe(), fix);
    }

    private String nearest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    /** Levenshtein distance: enough to catch "maxPerUsers" and "maxperuser". */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A string value with its place in the file. */
    record Located(String value, At at) {}
}
