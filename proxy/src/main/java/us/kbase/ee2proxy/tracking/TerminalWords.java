package us.kbase.ee2proxy.tracking;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * The words one of which a status reply must contain to show a finished job: {@code "completed"},
 * {@code "error"}, {@code "terminated"} (job states, quoted) and {@code true} (check_job_canceled's
 * {@code finished}/{@code canceled}). Nearly every reply (the runner's check_job_canceled, once a
 * second per running job) contains none, so this test runs on every pass-through status reply and
 * must be cheap: one pass over the body that stops only at a {@code "} or {@code t}, the bytes
 * every word starts with, instead of one substring search per word (each of which re-reads the
 * body, and which was a fifth of the proxy's Java time in the pass-through profile).
 */
final class TerminalWords {
    private static final byte[][] WORDS = {
        ascii("\"completed\""), ascii("\"error\""), ascii("\"terminated\""), ascii("true"),
    };
    /** Stops at a byte some word starts with. */
    private static final ByteProcessor NOT_A_FIRST_BYTE = b -> b != '"' && b != 't';

    private TerminalWords() {}

    /** Whether any of the words occurs in {@code body}'s readable bytes; the indexes are not moved. */
    static boolean mayAppearIn(ByteBuf body) {
        int end = body.writerIndex();
        int at = body.readerIndex();
        while (at < end) {
            at = body.forEachByte(at, end - at, NOT_A_FIRST_BYTE);
            if (at < 0) {
                return false;
            }
            for (byte[] word : WORDS) {
                if (startsAt(body, at, end, word)) {
                    return true;
                }
            }
            at++;
        }
        return false;
    }

    private static boolean startsAt(ByteBuf body, int at, int end, byte[] word) {
        if (end - at < word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (body.getByte(at + i) != word[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
