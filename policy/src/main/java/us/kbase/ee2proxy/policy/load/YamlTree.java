package us.kbase.ee2proxy.policy.load;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A YAML document as a tree that remembers where each key and value is, so that every problem
 * can name its line and column. Jackson's own tree ({@code JsonNode}) forgets locations and keeps
 * only the last of duplicate keys; this keeps both, so duplicates can be reported.
 */
sealed interface YamlTree {

    /** Where a node starts: 1-based line and column. */
    record At(int line, int column) {
        static final At FILE = new At(0, 0);

        static At of(JsonLocation l) {
            return new At(l.getLineNr(), l.getColumnNr());
        }
    }

    At at();

    /** What the node is, for "wrong type" messages: "a list", "the number 10", "nothing". */
    String describe();

    record Entry(String key, At keyAt, YamlTree value) {}

    record Mapping(At at, List<Entry> entries) implements YamlTree {
        public String describe() {
            return "a mapping (key: value lines)";
        }
    }

    record Sequence(At at, List<YamlTree> items) implements YamlTree {
        public String describe() {
            return "a list";
        }
    }

    /** A scalar; {@code token} tells how YAML typed it (string, int, float, boolean, null). */
    record Scalar(At at, JsonToken token, String text) implements YamlTree {
        public String describe() {
            return switch (token) {
                case VALUE_NULL -> "nothing (an empty value)";
                case VALUE_STRING -> text.isEmpty() ? "nothing (an empty value)" : "the text \"" + text + "\"";
                case VALUE_TRUE, VALUE_FALSE -> "the boolean " + text;
                default -> "the number " + text;
            };
        }

        boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }
    }

    /** Parses one YAML document; null for an empty document. */
    static YamlTree parse(YAMLFactory factory, String yaml) throws IOException {
        try (JsonParser p = factory.createParser(yaml)) {
            if (p.nextToken() == null) {
                return null;
            }
            YamlTree root = read(p);
            if (p.nextToken() != null) {
                throw new ExtraDocumentException(At.of(p.currentTokenLocation()));
            }
            return root;
        }
    }

    private static YamlTree read(JsonParser p) throws IOException {
        At at = At.of(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            List<Entry> entries = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                At keyAt = At.of(p.currentTokenLocation());
                p.nextToken();
                entries.add(new Entry(key, keyAt, read(p)));
            }
            return new Mapping(at, List.copyOf(entries));
        }
        if (t == JsonToken.START_ARRAY) {
            List<YamlTree> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(read(p));
            }
            return new Sequence(at, List.copyOf(items));
        }
        return new Scalar(at, t, t == JsonToken.VALUE_NULL ? "null" : p.getText());
    }

    /** A second YAML document ("---") in a policy file. */
    final class ExtraDocumentException extends IOException {
        final At at;

        ExtraDocumentException(At at) {
            super("a second YAML document");
            this.at = at;
        }
    }
}
