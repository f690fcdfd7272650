package dev.wharf.grammar.parser;

/**
 * Walks the physical lines of a Dockerfile the way BuildKit's {@code bufio.Scanner} with {@code scanLines} does:
 * lines end at {@code \n}, which stays part of the raw line, and a line of 64 KiB or more stops the scan.
 *
 * <p>Mutable cursor, not thread-safe. The limit: bufio.MaxScanTokenSize is 65536 bytes and the scanner fails
 * when its buffer is full without a newline, so a line whose UTF-8 content (without the {@code \n}) is 65536
 * bytes or more ends the input, and the parser then reports
 * {@code dockerfile line greater than max allowed size of 65535}.
 *
 * <p>Quirk kept on purpose: bufio.Scanner does not stop for good after that error. One more {@code Scan()} (which
 * BuildKit makes when the failure happened inside a line continuation) hands out the first 65536 bytes of the
 * long line as a final line without newline. A character cut in half there leaves invalid UTF-8 bytes, given
 * here as one U+FFFD each. The current line is read from {@link #source()}, which is the whole text except for
 * such a cut line.
 */
final class PhysicalLines {

    static final int MAX_TOKEN_SIZE = 65536;

    private final String text;
    private String source;
    private boolean truncatedGiven;
    private int pos;
    private int start;
    private int end;
    private int rawEnd;
    private boolean tooLong;

    PhysicalLines(String text) {
        this.text = text;
        this.source = text;
    }

    /** Advances to the next line; false at the end of input or at a line that is too long. */
    boolean next() {
        if (tooLong) {
            return truncated();
        }
        if (pos >= text.length()) {
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

    /** The scan after the too-long error: the first 65536 bytes of the long line, once. */
    private boolean truncated() {
        if (truncatedGiven) {
            return false;
        }
        truncatedGiven = true;
        int bytes = 0;
        int i = pos;
        int orphans = 0;
        while (bytes < MAX_TOKEN_SIZE) {
            int cp = text.codePointAt(i);
            int width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + width > MAX_TOKEN_SIZE) {
                orphans = MAX_TOKEN_SIZE - bytes;
                break;
            }
            bytes += width;
            i += Character.charCount(cp);
        }
        if (orphans == 0) {
            start = pos;
            rawEnd = i;
        } else {
            source = text.substring(pos, i) + "\uFFFD".repeat(orphans);
            start = 0;
            rawEnd = source.length();
        }
        int e = rawEnd;
        while (e > start && source.charAt(e - 1) == '\r') {
            e--;
        }
        end = e;
        pos = text.length();
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

    /** Whether the cut first 64 KiB of the too-long line were handed out as a line. */
    boolean truncatedLineRead() {
        return truncatedGiven;
    }

    /** Whether the scan stopped at a line that is too long. */
    boolean tooLong() {
        return tooLong;
    }

    /** The text the current line's indexes refer to. */
    String source() {
        return source;
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
