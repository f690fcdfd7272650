package dev.wharf.grammar.parser;

/**
 * Walks the physical lines of a Dockerfile the way BuildKit's {@code bufio.Scanner} with {@code scanLines} does:
 * lines end at {@code \n}, which stays part of the raw line, and a line of 64 KiB or more stops the scan.
 *
 * <p>Mutable cursor, not thread-safe. The limit: bufio.MaxScanTokenSize is 65536 bytes and the scanner fails
 * when its buffer is full without a newline, so a line whose UTF-8 content (without the {@code \n}) is 65536
 * bytes or more ends the input, and the parser then reports
 * {@code dockerfile line greater than max allowed size of 65535}.
 */
final class PhysicalLines {

    static final int MAX_TOKEN_SIZE = 65536;

    private final String text;
    private int pos;
    private int start;
    private int end;
    private int rawEnd;
    private boolean tooLong;

    PhysicalLines(String text) {
        this.text = text;
    }

    /** Advances to the next line; false at the end of input or at a line that is too long. */
    boolean next() {
        if (tooLong || pos >= text.length()) {
            return false;
        }
        int nl = text.indexOf('\n', pos);
        int contentEnd = nl < 0 ? text.length() : nl;
        if (utf8Length(pos, contentEnd) >= MAX_TOKEN_SIZE) {
            tooLong = true;
            return false;
        }
        start = pos;
        rawEnd = nl < 0 ? text.length() : nl + 1;
        // trimNewline: bytes.TrimRight(line, "\r\n")
        int e = rawEnd;
        while (e > start && (text.charAt(e - 1) == '\n' || text.charAt(e - 1) == '\r')) {
            e--;
        }
        end = e;
        pos = rawEnd;
        return true;
    }

    private int utf8Length(int from, int to) {
        int chars = to - from;
        if (chars < MAX_TOKEN_SIZE / 3) {
            return chars; // cannot reach the limit
        }
        int bytes = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Whether the scan stopped at a line that is too long. */
    boolean tooLong() {
        return tooLong;
    }

    String text() {
        return text;
    }

    /** Start index of the current line. */
    int start() {
        return start;
    }

    /** End of the current line's content: trailing {@code \r} and {@code \n} removed. */
    int end() {
        return end;
    }

    /** End of the current raw line, its {@code \n} included. */
    int rawEnd() {
        return rawEnd;
    }
}
