package us.kbase.ee2proxy.oracle;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * JSON values for request bodies written by hand or by the generator, with what a body may carry
 * that Jackson would not write: duplicate keys (an object is a list of members), {@code NaN} and
 * other raw tokens, {@code \\uXXXX} escapes, odd spacing, other encodings.
 *
 * <p>Values: {@link Obj}, {@link List}, {@link String}, {@link Number}, {@link Boolean},
 * {@link #NULL}, {@link Raw}.
 */
final class Js {
    private Js() {}

    /** JSON {@code null} (a Java null is a bug in a corpus). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A token written as is: {@code NaN}, {@code -Infinity}, {@code 1e400}, {@code -0}. */
    record Raw(String text) {}

    /** A member of an object. */
    record Member(String key, Object value) {}

    /** An object: members in order, duplicates allowed (Python keeps the last). */
    static final class Obj {
        final List<Member> members = new ArrayList<>();

        Obj put(String key, Object value) {
            members.add(new Member(key, value));
            return this;
        }

        /** Replaces the last member named {@code key} (or adds it). */
        Obj set(String key, Object value) {
            for (int i = members.size() - 1; i >= 0; i--) {
                if (members.get(i).key().equals(key)) {
                    members.set(i, new Member(key, value));
                    return this;
                }
            }
            return put(key, value);
        }

        Obj remove(String key) {
            members.removeIf(m -> m.key().equals(key));
            return this;
        }

        /** The value Python would see (the last member named {@code key}), or null when absent. */
        Object get(String key) {
            for (int i = members.size() - 1; i >= 0; i--) {
                if (members.get(i).key().equals(key)) {
                    return members.get(i).value();
                }
            }
            return null;
        }

        Obj copy() {
            Obj o = new Obj();
            for (Member m : members) {
                o.members.add(new Member(m.key(), deepCopy(m.value())));
            }
            return o;
        }
    }

    static Obj obj(Object... keysAndValues) {
        Obj o = new Obj();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            o.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return o;
    }

    static List<Object> list(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    static Object deepCopy(Object v) {
        if (v instanceof Obj o) {
            return o.copy();
        }
        if (v instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            l.forEach(e -> c.add(deepCopy(e)));
            return c;
        }
        return v;
    }

    /** How a value is written. */
    record Style(String colon, String comma, boolean asciiOnly, boolean escapeLetters) {
        /** Python's json.dumps defaults, as the KBase clients send. */
        static final Style PYTHON = new Style(": ", ", ", true, false);
        static final Style COMPACT = new Style(":", ",", false, false);
    }

    static String write(Object v) {
        return write(v, Style.PYTHON);
    }

    static String write(Object v, Style style) {
        StringBuilder b = new StringBuilder();
        write(b, v, style);
        return b.toString();
    }

    static byte[] bytes(Object v) {
        return write(v).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(Object v, Style style, Charset charset) {
        return write(v, style).getBytes(charset);
    }

    private static void write(StringBuilder b, Object v, Style s) {
        if (v == null) {
            throw new IllegalArgumentException("a Java null in a JSON corpus value; use Js.NULL");
        } else if (v == NULL) {
            b.append("null");
        } else if (v instanceof Raw r) {
            b.append(r.text());
        } else if (v instanceof String str) {
            string(b, str, s);
        } else if (v instanceof Boolean || v instanceof Number) {
            b.append(v);
        } else if (v instanceof Obj o) {
            b.append('{');
            for (int i = 0; i < o.members.size(); i++) {
                if (i > 0) {
                    b.append(s.comma());
                }
                string(b, o.members.get(i).key(), s);
                b.append(s.colon());
                write(b, o.members.get(i).value(), s);
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(s.comma());
                }
                write(b, l.get(i), s);
            }
            b.append(']');
        } else if (v instanceof Map<?, ?>) {
            throw new IllegalArgumentException("use Js.Obj, not a Map");
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass());
        }
    }

    private static void string(StringBuilder b, String str, Style s) {
        b.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || (s.asciiOnly() && c > 0x7e) || (s.escapeLetters() && Character.isLetter(c))) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
