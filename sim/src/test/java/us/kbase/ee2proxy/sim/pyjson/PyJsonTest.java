package us.kbase.ee2proxy.sim.pyjson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bodies with what CPython 3.11's {@code json.loads(bytes)} and {@code json.dumps} gave for them
 * (generated once with python3 and pasted here): the result re-serialized, or the error text.
 */
class PyJsonTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new byte[] {}, false, "Expecting value: line 1 column 1 (char 0)"),
                Arguments.of(new byte[] {32}, false, "Expecting value: line 1 column 2 (char 1)"),
                Arguments.of(new byte[] {123}, false, "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
                Arguments.of(new byte[] {91}, false, "Expecting value: line 1 column 2 (char 1)"),
                Arguments.of(new byte[] {91, 49, 44, 93}, false, "Expecting value: line 1 column 4 (char 3)"),
                Arguments.of(new byte[] {123, 34, 97, 34, 58, 49, 44, 125}, false, "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"),
                Arguments.of(new byte[] {123, 34, 97, 34, 32, 49, 125}, false, "Expecting ':' delimiter: line 1 column 6 (char 5)"),
                Arguments.of(new byte[] {123, 34, 97, 34, 58, 125}, false, "Expecting value: line 1 column 6 (char 5)"),
                Arguments.of(new byte[] {34, 97, 98, 99}, false, "Unterminated string starting at: line 1 column 1 (char 0)"),
                Arguments.of(new byte[] {34, 97, 92, 120, 34}, false, "Invalid \\escape: line 1 column 3 (char 2)"),
                Arguments.of(new byte[] {34, 92, 117, 49, 50, 34}, false, "Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
                Arguments.of(new byte[] {34, 92, 117, 49, 50, 122, 122, 34}, false, "Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
                Arguments.of(new byte[] {34, 97, 1, 98, 34}, false, "Invalid control character at: line 1 column 3 (char 2)"),
                Arguments.of(new byte[] {91, 49, 93, 32, 120}, false, "Extra data: line 1 column 5 (char 4)"),
                Arguments.of(new byte[] {123, 34, 97, 34, 58, 32, 49, 125, 10, 10, 32, 120}, false, "Extra data: line 3 column 2 (char 11)"),
                Arguments.of(new byte[] {110, 117, 108}, false, "Expecting value: line 1 column 1 (char 0)"),
                Arguments.of(new byte[] {45}, false, "Expecting value: line 1 column 1 (char 0)"),
                Arguments.of(new byte[] {48, 49}, false, "Extra data: line 1 column 2 (char 1)"),
                Arguments.of(new byte[] {49, 46}, false, "Extra data: line 1 column 2 (char 1)"),
                Arguments.of(new byte[] {49, 101}, false, "Extra data: line 1 column 2 (char 1)"),
                Arguments.of(new byte[] {-17, -69, -65, 91, 49, 93}, true, "[1]"),
                Arguments.of(new byte[] {-1, -2, 91, 0}, false, "Expecting value: line 1 column 2 (char 1)"),
                Arguments.of(new byte[] {-61, 40}, false, "'utf-8' codec can't decode byte 0xc3 in position 0: invalid continuation byte"),
                Arguments.of(new byte[] {91, 49, 44, 10, 50, 44, 10, 51}, false, "Expecting ',' delimiter: line 3 column 2 (char 8)"),
                Arguments.of(new byte[] {0, 91, 0, 93}, true, "[]"),
                Arguments.of(new byte[] {123, 34, -61, -87, 34, 58, 32, 91, 49, 44, 32, 50, 93, 32, 34, 120, 34, 125}, false, "Expecting ',' delimiter: line 1 column 14 (char 13)"),
                Arguments.of(new byte[] {91, 78, 97, 78, 44, 32, 73, 110, 102, 105, 110, 105, 116, 121, 44, 32, 45, 73, 110, 102, 105, 110, 105, 116, 121, 44, 32, 45, 48, 46, 48, 44, 32, 49, 69, 52, 48, 48, 93}, true, "[NaN, Infinity, -Infinity, -0.0, Infinity]"),
                Arguments.of(new byte[] {123, 34, 97, 34, 58, 32, 49, 44, 32, 34, 98, 34, 58, 32, 50, 44, 32, 34, 97, 34, 58, 32, 51, 125}, true, "{\"a\": 3, \"b\": 2}"),
                Arguments.of(new byte[] {34, 92, 117, 100, 56, 51, 100, 92, 117, 100, 101, 48, 48, 32, 92, 117, 100, 56, 51, 100, 32, 120, 34}, true, "\"\\ud83d\\ude00 \\ud83d x\""),
                Arguments.of(new byte[] {91, 49, 46, 53, 101, 45, 55, 44, 32, 49, 50, 51, 52, 53, 54, 55, 56, 57, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 48, 44, 32, 49, 101, 49, 54, 44, 32, 48, 46, 49, 93}, true, "[1.5e-07, 123456789012345678901234567890, 1e+16, 0.1]"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPython(byte[] body, boolean ok, String python) throws Exception {
        if (ok) {
            assertThat(PyJson.dumps(PyJson.loads(body))).isEqualTo(python);
        } else {
            assertThatThrownBy(() -> PyJson.loads(body)).isInstanceOf(PyJsonError.class).hasMessage(python);
        }
    }
}
