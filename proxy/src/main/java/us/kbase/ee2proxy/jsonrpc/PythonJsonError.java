package us.kbase.ee2proxy.jsonrpc;

/**
 * The ValueError Python's {@code json.loads} would raise, with its {@code str()} as message.
 * Thrown only on bodies EE2 cannot parse, so it carries no stack trace.
 */
final class PythonJsonError extends Exception {

    PythonJsonError(String message) {
        super(message, null, false, false);
    }

    /**
     * A JSONDecodeError at byte {@code pos} of the decoded text {@code text[start, end)} (one
     * UTF-8 sequence per Python code point), rendered as Python does: "msg: line L column C
     * (char P)", counting code points and only '\n' as a line break.
     */
    static PythonJsonError at(String msg, byte[] text, int start, int pos) {
        int chars = 0;
        int line = 1;
        int lastNewlineChar = -1;
        for (int i = start; i < pos; i++) {
            int b = text[i];
            if ((b & 0xC0) != 0x80) {
                if (b == '\n') {
                    line++;
                    lastNewlineChar = chars;
                }
                chars++;
            }
        }
        int column = chars - lastNewlineChar;
        return new PythonJsonError(
                msg + ": line " + line + " column " + column + " (char " + chars + ")");
    }
}
