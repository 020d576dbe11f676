package us.kbase.ee2proxy.tracking;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * The words one of which a status reply must contain to show a finished job: {@code "completed"},
 * {@code "error"}, {@code "terminated"} (job states, quoted) and {@code true} (check_job_canceled's
 * {@code finished}/{@code canceled}). Nearly every reply (the runner's check_job_canceled, once a
 * second per running job) contains none, so this test runs on every pass-through status reply and
 * must be cheap: one pass over the body ({@link ByteBuf#forEachByte}, which walks a composite
 * buffer's components in turn) keeping its last 16 bytes in two longs, compared with a word only
 * where one could end. It replaced one substring search per word, each re-reading the body, which
 * was a fifth of the proxy's Java time in the pass-through profile.
 */
final class TerminalWords {
    private static final long ERROR = pack("\"error\"");
    private static final long TRUE = pack("true");
    /** {@code "completed"} is 11 bytes: its first 3, then its last 8. */
    private static final long COMPLETED_FIRST_3 = pack("\"co");
    private static final long COMPLETED_LAST_8 = pack("mpleted\"");
    /** {@code "terminated"} is 12 bytes: its first 4, then its last 8. */
    private static final long TERMINATED_FIRST_4 = pack("\"ter");
    private static final long TERMINATED_LAST_8 = pack("minated\"");

    private TerminalWords() {}

    /** Whether any of the words occurs in {@code body}'s readable bytes; the indexes are not moved. */
    static boolean mayAppearIn(ByteBuf body) {
        return body.forEachByte(new Window()) >= 0;
    }

    /** The bytes read so far, the last 16 of them: stops at the last byte of a word. */
    private static final class Window implements ByteProcessor {
        /** The last 8 bytes, the newest in the lowest byte; zeros before the body (no word has a zero byte). */
        private long last8;
        /** The 8 bytes before those. */
        private long before8;

        @Override
        public boolean process(byte b) {
            before8 = (before8 << 8) | (last8 >>> 56);
            last8 = (last8 << 8) | (b & 0xFF);
            if (b == '"') {
                return (last8 & 0x00FF_FFFF_FFFF_FFFFL) != ERROR
                        && !(last8 == COMPLETED_LAST_8 && (before8 & 0xFF_FFFFL) == COMPLETED_FIRST_3)
                        && !(last8 == TERMINATED_LAST_8 && (before8 & 0xFFFF_FFFFL) == TERMINATED_FIRST_4);
            }
            return b != 'e' || (last8 & 0xFFFF_FFFFL) != TRUE;
        }
    }

    /** Up to 8 ASCII bytes as a long, the last byte lowest (as {@link Window} holds them). */
    private static long pack(String ascii) {
        long packed = 0;
        for (int i = 0; i < ascii.length(); i++) {
            packed = (packed << 8) | ascii.charAt(i);
        }
        return packed;
    }
}
