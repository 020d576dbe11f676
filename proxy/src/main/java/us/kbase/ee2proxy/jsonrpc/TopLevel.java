package us.kbase.ee2proxy.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where the members EE2's handler reads ({@code method}, {@code id}, {@code params},
 * {@code version}, {@code jsonrpc}) begin and end in a scanned body, the last duplicate winning
 * as in a Python dict. Filled by {@link PythonJsonScanner}; values stay undecoded until asked for.
 */
final class TopLevel {

    static final int OTHER = -1;
    static final int METHOD = 0;
    static final int ID = 1;
    static final int PARAMS = 2;
    static final int VERSION = 3;
    static final int JSONRPC = 4;

    private static final String[] NAMES = {"method", "id", "params", "version", "jsonrpc"};
    private static final byte[][] NAME_BYTES =
            Arrays.stream(NAMES).map(n -> n.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    final byte[] text;
    private final int[] starts = {-1, -1, -1, -1, -1};
    private final int[] ends = new int[NAMES.length];

    TopLevel(byte[] text) {
        this.text = text;
    }

    void member(int member, int start, int end) {
        if (member != OTHER) {
            starts[member] = start;
            ends[member] = end;
        }
    }

    boolean has(int member) {
        return starts[member] >= 0;
    }

    int start(int member) {
        return starts[member];
    }

    int end(int member) {
        return ends[member];
    }

    /** The member's value as EE2 would write it back ({@link PythonJsonDumps}), or null when absent. */
    String dumps(int member) {
        return has(member) ? PythonJsonDumps.dumps(text, starts[member], ends[member]) : null;
    }

    static int memberOf(byte[] text, int from, int to) {
        int length = to - from;
        for (int m = 0; m < NAME_BYTES.length; m++) {
            byte[] name = NAME_BYTES[m];
            if (name.length == length && Arrays.equals(name, 0, length, text, from, to)) {
                return m;
            }
        }
        return OTHER;
    }

    static int memberOf(String key) {
        for (int m = 0; m < NAMES.length; m++) {
            if (NAMES[m].equals(key)) {
                return m;
            }
        }
        return OTHER;
    }
}
