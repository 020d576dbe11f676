package us.kbase.ee2proxy.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The human-friendly value syntaxes of {@code proxy.yaml} ("5s", "32MiB", "127.0.0.1:8081"), as
 * Jackson deserializers so that a bad value is reported with its key, line and column.
 */
final class ConfigValues {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");

    private ConfigValues() {}

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write a number and a unit: 250ms, 5s, 2m, 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    static int parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write bytes or a number and a unit: 16384, 64KiB, 32MiB");
        }
        long unit = switch (m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT)) {
            case "KIB" -> 1024L;
            case "MIB" -> 1024L * 1024;
            case "GIB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        long bytes = Long.parseLong(m.group(1)) * unit;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is too large; the limit is 2GiB - 1");
        }
        return (int) bytes;
    }

    private abstract static class TextDeserializer<T> extends JsonDeserializer<T> {
        private final Class<T> type;

        TextDeserializer(Class<T> type) {
            this.type = type;
        }

        abstract T parse(String text);

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING) && !p.hasToken(JsonToken.VALUE_NUMBER_INT)) {
                return type.cast(ctxt.handleUnexpectedToken(type, p));
            }
            String text = p.getText();
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                // A plain mapping exception keeps our message as is; the loader adds key and line.
                throw JsonMappingException.from(p, e.getMessage());
            }
        }
    }

    static final class DurationValue extends TextDeserializer<Duration> {
        DurationValue() {
            super(Duration.class);
        }

        @Override
        Duration parse(String text) {
            return parseDuration(text);
        }
    }

    static final class SizeValue extends TextDeserializer<Integer> {
        SizeValue() {
            super(Integer.class);
        }

        @Override
        Integer parse(String text) {
            return parseSize(text);
        }
    }

    static final class HostPortValue extends TextDeserializer<HostPort> {
        HostPortValue() {
            super(HostPort.class);
        }

        @Override
        HostPort parse(String text) {
            return HostPort.parse(text);
        }
    }
}
