package us.kbase.ee2proxy.policy.load;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.YamlTree.At;
import us.kbase.ee2proxy.policy.load.YamlTree.Mapping;

/**
 * Loads and validates a policy file. Every problem is collected (not only the first) with its file,
 * line, column, what is wrong and how to fix it; a policy comes back only when there are none.
 * Keys absent from the file take KBase's defaults ({@link AdmissionPolicy#defaults()}).
 */
public final class PolicyLoader {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    private PolicyLoader() {}

    public static AdmissionPolicy load(Path file) throws PolicyException {
        String name = file.toString();
        String text;
        try {
            // A strict decoder: a policy saved as Latin-1 is reported, not read as mojibake.
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw single(name, "the policy file does not exist",
                    "check the path, or start from config/policy.yaml");
        } catch (CharacterCodingException e) {
            throw single(name, "the file is not UTF-8 text", "save it as UTF-8");
        } catch (IOException e) {
            throw single(name, "cannot read the file: " + e.getMessage(), "check the path and its permissions");
        }
        return parse(text, name);
    }

    public static AdmissionPolicy parse(String yaml, String sourceName) throws PolicyException {
        Problems problems = new Problems(sourceName);
        YamlTree root;
        try {
            root = YamlTree.parse(YAML, yaml);
        } catch (YamlTree.ExtraDocumentException e) {
            throw new PolicyException(List.of(new Problem(sourceName, e.at.line(), e.at.column(),
                    "the file holds a second YAML document (after ---)", "keep one policy per file")));
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            At at = l == null ? At.FILE : At.of(l);
            throw new PolicyException(List.of(new Problem(sourceName, at.line(), at.column(),
                    "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""),
                    "check the indentation (spaces, not tabs) and the quoting on this line and the one above")));
        } catch (IOException e) {
            throw single(sourceName, "cannot read the policy: " + e.getMessage(), "check the file");
        }
        if (root == null) {
            throw single(sourceName, "the policy is empty",
                    "copy config/policy.yaml and change what you need; every key left out takes KBase's default");
        }
        if (!(root instanceof Mapping mapping)) {
            throw new PolicyException(List.of(new Problem(sourceName, root.at().line(), root.at().column(),
                    "the policy must be a mapping of keys (slots: 10, parents: ...), but it is " + root.describe(),
                    "start from config/policy.yaml")));
        }
        AdmissionPolicy policy = new PolicyReader(problems).read(mapping, sourceName);
        if (!problems.isEmpty()) {
            throw new PolicyException(problems.list());
        }
        return policy;
    }

    private static PolicyException single(String source, String what, String fix) {
        return new PolicyException(List.of(new Problem(source, 0, 0, what, fix)));
    }
}
