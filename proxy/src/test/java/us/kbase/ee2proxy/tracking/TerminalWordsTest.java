package us.kbase.ee2proxy.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The one-pass scan finds a terminal word exactly when a substring search for each word does, in
 * bodies made of the words' pieces, whole or split over a composite buffer's components (as the
 * response aggregator hands them over), read from any reader index.
 */
class TerminalWordsTest {
    private static final List<String> WORDS = List.of("\"completed\"", "\"error\"", "\"terminated\"", "true");

    @Test
    void findsAWordExactlyWhenASubstringSearchDoes() {
        qt().withExamples(2000).forAll(bodies(), integers().between(0, 8), integers().between(1, 40))
                .checkAssert(TerminalWordsTest::findsAWordExactlyWhenASubstringSearchDoes);
    }

    private static void findsAWordExactlyWhenASubstringSearchDoes(String body, int skip, int split) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int from = Math.min(skip, bytes.length);
        boolean expected = false;
        ByteBuf whole = Unpooled.wrappedBuffer(bytes).readerIndex(from);
        for (String word : WORDS) {
            expected |= ByteBufUtil.indexOf(Unpooled.wrappedBuffer(word.getBytes(StandardCharsets.US_ASCII)), whole) >= 0;
        }
        assertThat(TerminalWords.mayAppearIn(whole)).isEqualTo(expected);
        assertThat(whole.readerIndex()).isEqualTo(from);
        CompositeByteBuf pieces = Unpooled.compositeBuffer();
        for (int at = 0; at < bytes.length; at += split) {
            pieces.addComponent(true, Unpooled.wrappedBuffer(bytes, at, Math.min(split, bytes.length - at)));
        }
        assertThat(TerminalWords.mayAppearIn(pieces.readerIndex(from))).isEqualTo(expected);
    }

    @Test
    void aRunningJobsCheckJobCanceledReplyShowsNoWordButAFinishedOnesDoes() {
        String running = "{\"version\": \"1.1\", \"result\": [{\"job_id\": \"5f1e\", \"finished\": false, \"canceled\": false,"
                + " \"terminated\": false}], \"id\": \"7\"}";
        // a key named like a state is enough to be looked at closely (the reader then decides)
        assertThat(TerminalWords.mayAppearIn(Unpooled.copiedBuffer(running, StandardCharsets.UTF_8))).isTrue();
        String plain = "{\"version\": \"1.1\", \"result\": [{\"job_id\": \"5f1e\", \"finished\": false, \"canceled\": false}], \"id\": \"7\"}";
        assertThat(TerminalWords.mayAppearIn(Unpooled.copiedBuffer(plain, StandardCharsets.UTF_8))).isFalse();
        assertThat(TerminalWords.mayAppearIn(Unpooled.copiedBuffer(plain.replace("\"finished\": false", "\"finished\": true"),
                StandardCharsets.UTF_8))).isTrue();
    }

    /** Up to 14 pieces, each drawn from the list below. */
    static Gen<String> bodies() {
        // Pieces of the words, their first bytes and near misses, so matches, partial matches and
        // matches at the very end all come up often.
        Gen<String> piece = arbitrary().pick("\"", "t", "tru", "true", "rue", "\"error", "error\"", "\"error\"",
                "\"completed", "completed\"", "\"completed\"", "\"terminated\"", "\"terminate", "x", " ", "{", "}", ":",
                "false", "\"state\": ", "tt", "\"\"", "é");
        return lists().of(piece).ofSizeBetween(0, 14).map(parts -> String.join("", parts));
    }
}
