package us.kbase.ee2proxy.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * Calls built from known parts, rendered every way Python accepts them (encodings, whitespace,
 * key order, escapes, decoy duplicate keys and nested junk), read back to the same parts.
 */
class JsonRpcSnifferPropertiesTest {

    /** A JSON value with its Python truthiness. */
    record Flag(String json, boolean truthy) {}

    record Rendering(String encoding, long seed) {}

    /** One run_job call: its parameters, its two flags as written, which method, how it is rendered. */
    record RunJobCall(RunJobParams params, Flag asAdmin, Flag ignoreLimits, boolean concierge, Rendering rendering) {}

    @Test
    void aRunJobReadsTheSameHoweverItIsWritten() {
        Gen<RunJobParams> params = runJobParams();
        Gen<Flag> flags = flags();
        Gen<Boolean> concierge = booleans().all();
        Gen<Rendering> renderings = renderings();
        Gen<RunJobCall> calls = in -> new RunJobCall(params.generate(in), flags.generate(in), flags.generate(in),
                concierge.generate(in), renderings.generate(in));
        qt().withExamples(400).forAll(calls).checkAssert(call -> aRunJobReadsTheSame(call.params(), call.asAdmin(),
                call.ignoreLimits(), call.concierge(), call.rendering()));
    }

    private static void aRunJobReadsTheSame(RunJobParams params, Flag asAdmin, Flag ignoreLimits, boolean concierge,
            Rendering rendering) {
        Random random = new Random(rendering.seed());
        var writer = new Writer(random);
        List<String> members = new ArrayList<>();
        members.add(writer.member("method", writer.string(params.method())));
        if (params.appId() != null) {
            members.add(writer.member("app_id", writer.string(params.appId())));
        }
        if (params.parentJobId() != null) {
            members.add(writer.member("parent_job_id", writer.string(params.parentJobId())));
        }
        members.add(writer.member("as_admin", asAdmin.json()));
        String billTo = params.requirements().billToUser();
        members.add(writer.member("job_requirements", writer.object(List.of(
                writer.member("ignore_concurrency_limits", ignoreLimits.json()),
                writer.member("bill_to_user", billTo == null ? "null" : writer.string(billTo))))));
        Collections.shuffle(members, random);
        String name = concierge ? "run_job_concierge" : "run_job";
        // EE2 applies the concierge rules only with truthy concierge params.
        String conciergeParams = concierge ? "," + writer.object(List.of(writer.member("client_group", writer.string("x"))))
                : "";
        String body = writer.call("execution_engine2." + name, "[" + writer.object(members) + conciergeParams + "]");

        SniffResult result = JsonRpcSniffer.sniff(encode(body, rendering.encoding()));

        RunJobParams expected = new RunJobParams(params.method(), params.appId(), params.parentJobId(),
                asAdmin.truthy(), new JobRequirements(true, ignoreLimits.truthy(), billTo));
        assertThat(result).isInstanceOfSatisfying(SniffResult.Call.class, call -> {
            assertThat(call.methodName()).isEqualTo("execution_engine2." + name);
            assertThat(call.creation()).isEqualTo(new JobCreation.RunJob(expected, concierge));
            assertThat(call.envelope().idJson()).isEqualTo(writer.idDumps);
        });
    }

    @Test
    void aJobRunnerCallReadsTheSameHoweverItIsWritten() {
        qt().withExamples(300).forAll(methods(), text(), text(), renderings())
                .checkAssert(JsonRpcSnifferPropertiesTest::aJobRunnerCallReadsTheSame);
    }

    private static void aJobRunnerCallReadsTheSame(Ee2Method method, String jobId, String status, Rendering rendering) {
        var writer = new Writer(new Random(rendering.seed()));
        String params = "[" + writer.object(List.of(
                writer.member("job_id", writer.string(jobId)), writer.member("status", writer.string(status)))) + "]";
        String body = writer.call(method.jsonRpcName(), params);

        SniffResult result = JsonRpcSniffer.sniff(encode(body, rendering.encoding()));

        assertThat(result).isInstanceOfSatisfying(SniffResult.Call.class, call -> {
            assertThat(call.method()).isEqualTo(method);
            assertThat(call.creation()).isNull();
            assertThat(call.jobIds()).isEqualTo(method.group() == Ee2Method.Group.OTHER ? List.of() : List.of(jobId));
            assertThat(call.status()).isEqualTo(method == Ee2Method.UPDATE_JOB_STATUS ? status
                    : method == Ee2Method.FINISH_JOB ? "completed" : null); // no error_message: finished well
        });
    }

    /** Word-at-a-time string scanning must find the one special byte wherever it sits in a word. */
    @Test
    void aSpecialCharacterIsFoundAtAnyOffset() {
        qt().withExamples(500).forAll(integers().between(0, 20), integers().between(0, 40), integers().between(0, 3))
                .checkAssert(JsonRpcSnifferPropertiesTest::aSpecialCharacterIsFound);
    }

    private static void aSpecialCharacterIsFound(int before, int at, int kind) {
        String plain = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";
        String head = plain.substring(0, at);
        String special = switch (kind) {
            case 0 -> "\u0001";
            case 1 -> "\\\"";
            case 2 -> "\u00e9";
            default -> "\\u0041";
        };
        String body = "{\"method\": \"a.b\", \"params\": [], " + " ".repeat(before) + "\"id\": \"" + head + special + "xyz\"}";
        SniffResult result = JsonRpcSniffer.sniff(body.getBytes(StandardCharsets.UTF_8));
        int idStart = body.indexOf("\"id\"") + 7;
        switch (kind) {
            case 0 -> assertThat(result).isEqualTo(new SniffResult.ParseError(
                    "Invalid control character at: line 1 column " + (idStart + at + 1) + " (char " + (idStart + at) + ")"));
            case 1 -> assertThat(((SniffResult.Call) result).envelope().idJson()).isEqualTo("\"" + head + "\\\"xyz\"");
            case 2 -> assertThat(((SniffResult.Call) result).envelope().idJson()).isEqualTo("\"" + head + "\\u00e9xyz\"");
            default -> assertThat(((SniffResult.Call) result).envelope().idJson()).isEqualTo("\"" + head + "Axyz\"");
        }
    }

    @Test
    void anyBytesGetAnAnswerAndTheBufferIsUntouched() {
        Gen<byte[]> bodies = Generate.byteArrays(integers().between(0, 64),
                Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
        qt().withExamples(1000).forAll(bodies).checkAssert(body -> {
            byte[] copy = body.clone();
            assertThat(JsonRpcSniffer.sniff(body)).isNotNull();
            assertThat(body).isEqualTo(copy);
        });
    }

    static Gen<RunJobParams> runJobParams() {
        Gen<String> method = text();
        Gen<String> appId = orNull(text(), 30);
        Gen<String> parent = orNull(text(), 30);
        Gen<String> billTo = orNull(text(), 50);
        return in -> {
            String m = method.generate(in);
            String a = appId.generate(in);
            String p = parent.generate(in);
            String b = billTo.generate(in);
            return new RunJobParams(m, a, p == null || p.isEmpty() ? null : p, false,
                    new JobRequirements(true, false, b == null || b.isEmpty() ? null : b));
        };
    }

    /**
     * Text as it comes: up to 12 characters of any kind, up to 30 printable ASCII ones, or one of
     * a few real values (and the empty string), a third of the time each.
     */
    static Gen<String> text() {
        return Generate.oneOf(
                strings(integers().between(0, ANY_CHARS.length() - 1).map(ANY_CHARS::charAt), 12),
                strings(integers().between(' ', '~').map(i -> (char) i.intValue()), 30),
                arbitrary().pick("kb_Bowtie2.align", "65a1b2c3d4e5f60718293a4b", "completed", ""));
    }

    /**
     * "Any character": every UTF-16 unit but surrogates, noncharacters (U+FDD0..U+FDEF, U+FFFE,
     * U+FFFF) and private use ones (U+E000..U+F8FF), each as likely; jqwik's default alphabet.
     */
    private static final String ANY_CHARS = IntStream.rangeClosed(Character.MIN_VALUE, Character.MAX_VALUE)
            .filter(c -> !Character.isSurrogate((char) c) && !(c >= 0xFDD0 && c <= 0xFDEF) && c != 0xFFFE
                    && c != 0xFFFF && !(c >= 0xE000 && c <= 0xF8FF))
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();

    /** 0 to {@code maxLength} characters, each drawn from {@code chars}. */
    private static Gen<String> strings(Gen<Character> chars, int maxLength) {
        return lists().of(chars).ofSizeBetween(0, maxLength).map(cs -> {
            StringBuilder out = new StringBuilder(cs.size());
            cs.forEach(out::append);
            return out.toString();
        });
    }

    /** {@code gen}'s value, or null {@code percent} times in 100. */
    private static Gen<String> orNull(Gen<String> gen, int percent) {
        Gen<Integer> roll = integers().between(0, 99);
        return in -> roll.generate(in) < percent ? null : gen.generate(in);
    }

    static Gen<Flag> flags() {
        return arbitrary().pick(
                new Flag("true", true), new Flag("false", false), new Flag("null", false),
                new Flag("0", false), new Flag("-0.0", false), new Flag("0e7", false), new Flag("1e-999", false),
                new Flag("2", true), new Flag("NaN", true), new Flag("-Infinity", true), new Flag("\"\"", false),
                new Flag("\"false\"", true), new Flag("[]", false), new Flag("[ ]", false), new Flag("[0]", true),
                new Flag("{}", false), new Flag("{\"a\":null}", true));
    }

    /** The methods that neither create jobs nor are unknown, each as likely. */
    static Gen<Ee2Method> methods() {
        return arbitrary().pick(Arrays.stream(Ee2Method.values())
                .filter(m -> m != Ee2Method.UNKNOWN && !m.createsJobs())
                .toList());
    }

    static Gen<Rendering> renderings() {
        Gen<String> encoding = arbitrary().pick(
                "utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-16", "utf-32-le", "utf-32-be", "utf-32");
        Gen<Long> seed = longs().all();
        return in -> new Rendering(encoding.generate(in), seed.generate(in));
    }

    /** Writes JSON the many ways Python reads the same: whitespace, escapes, order, decoys. */
    static final class Writer {
        private static final String WHITESPACE = " \t\n\r";
        private final Random random;
        /** The id as EE2 echoes it. */
        String idDumps;

        Writer(Random random) {
            this.random = random;
        }

        /** The call's members in random order, an overridden decoy before each of method and params. */
        String call(String method, String params) {
            idDumps = random.nextBoolean() ? String.valueOf(random.nextInt(1000)) : "\"id-" + random.nextInt() + "\"";
            String id = idDumps.startsWith("\"") ? string(idDumps.substring(1, idDumps.length() - 1)) : idDumps;
            List<String> members = new ArrayList<>(List.of(
                    member("method", string(method)),
                    member("params", params),
                    member("id", id),
                    member(random.nextBoolean() ? "version" : "jsonrpc", string("1.1"))));
            for (int i = random.nextInt(3); i > 0; i--) {
                members.add(member("x" + i, junk(3)));
            }
            Collections.shuffle(members, random);
            int realMethod = indexOfKey(members, "method");
            members.add(random.nextInt(realMethod + 1), member("method", string("execution_engine2.ver")));
            int realParams = indexOfKey(members, "params");
            members.add(random.nextInt(realParams + 1), member("params", "[{\"job_id\":\"decoy\"}]"));
            return ws() + object(members) + ws();
        }

        /** A member (a key, a colon and a value), the key written with random escapes. */
        String member(String key, String value) {
            return string(key) + ws() + ":" + ws() + value;
        }

        /** An object of the members in the order given. */
        String object(List<String> members) {
            StringBuilder out = new StringBuilder("{").append(ws());
            for (int i = 0; i < members.size(); i++) {
                out.append(i == 0 ? "" : ws() + "," + ws()).append(members.get(i));
            }
            return out.append(ws()).append('}').toString();
        }

        private int indexOfKey(List<String> members, String key) {
            for (int i = members.size() - 1; i >= 0; i--) {
                if (JsonValues.string(members.get(i).getBytes(StandardCharsets.UTF_8), 0).equals(key)) {
                    return i;
                }
            }
            throw new AssertionError(key);
        }

        String junk(int depth) {
            return switch (depth <= 0 ? random.nextInt(4) : random.nextInt(6)) {
                case 0 -> List.of("NaN", "-Infinity", "1e400", "-0", "123456789012345678901234567890", "null", "true")
                        .get(random.nextInt(7));
                case 1 -> string("\"method\": \"execution_engine2.run_job\"");
                case 2 -> "[" + ws() + "]";
                case 3 -> "{}";
                case 4 -> "[" + junk(depth - 1) + ws() + "," + ws() + junk(depth - 1) + "]";
                default -> "{" + member("method", junk(depth - 1)) + "}";
            };
        }

        /** A JSON string for {@code s}, each character escaped or not at random. */
        String string(String s) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20 || Character.isSurrogate(c) && random.nextBoolean() || random.nextInt(8) == 0) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            return out.append('"').toString();
        }

        private String ws() {
            StringBuilder out = new StringBuilder();
            for (int i = random.nextInt(4) == 0 ? random.nextInt(3) : 0; i > 0; i--) {
                out.append(WHITESPACE.charAt(random.nextInt(4)));
            }
            return out.toString();
        }
    }

    /** Encodes as Python's codecs do with 'surrogatepass' (Java's encoders replace lone surrogates). */
    static byte[] encode(String text, String encoding) {
        var out = new ByteArrayOutputStream();
        switch (encoding) {
            case "utf-8-sig" -> out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            case "utf-16" -> out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE});
            case "utf-32" -> out.writeBytes(new byte[] {0, 0, (byte) 0xFE, (byte) 0xFF});
            default -> { }
        }
        boolean bigEndian = encoding.endsWith("be") || encoding.equals("utf-32");
        if (encoding.startsWith("utf-8")) {
            text.codePoints().forEach(cp -> {
                byte[] buf = new byte[4];
                out.write(buf, 0, BodyText.appendUtf8(buf, 0, cp));
            });
        } else if (encoding.startsWith("utf-16")) {
            for (char c : text.toCharArray()) {
                out.write(bigEndian ? c >> 8 : c & 0xFF);
                out.write(bigEndian ? c & 0xFF : c >> 8);
            }
        } else {
            text.codePoints().forEach(cp -> {
                for (int shift = 0; shift < 32; shift += 8) {
                    out.write(cp >> (bigEndian ? 24 - shift : shift) & 0xFF);
                }
            });
        }
        return out.toByteArray();
    }

    @Test
    void encodingsRoundTrip() {
        qt().withExamples(50).forAll(text()).checkAssert(s -> {
            String body = "{\"method\":\"a.b\",\"params\":[],\"id\":" + new Writer(new Random(1)).string(s) + "}";
            for (String encoding : List.of("utf-8", "utf-16-le", "utf-32-be")) {
                assertThat(JsonRpcSniffer.sniff(encode(body, encoding))).isInstanceOf(SniffResult.Call.class);
            }
        });
        assertThat(new String(encode("é", "utf-8"), StandardCharsets.UTF_8)).isEqualTo("é");
    }
}
