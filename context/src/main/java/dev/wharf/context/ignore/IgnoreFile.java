package dev.wharf.context.ignore;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.GoPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the patterns of a {@code .dockerignore} file like moby/patternmatcher's {@code ignorefile.ReadAll}: strips
 * a UTF-8 byte order mark, skips lines starting with {@code #} (before trimming, so {@code " #x"} is a pattern),
 * trims whitespace, drops blank lines, cleans each pattern and removes a leading {@code /}, keeping a leading
 * {@code !}. Stateless.
 */
public final class IgnoreFile {

    /** bufio.Scanner's default maximum token size; a longer line fails as it does upstream. */
    private static final int MAX_LINE = 64 * 1024;

    private IgnoreFile() {
    }

    /**
     * The patterns of an ignore file, in order.
     *
     * @param name the file's name, used in error messages
     * @throws ContextException when a line is longer than 64 KiB (bufio.Scanner's limit)
     */
    public static List<String> parse(String name, byte[] content) throws ContextException {
        List<String> out = new ArrayList<>();
        int start = 0;
        int lineNo = 0;
        while (start < content.length) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            int lineEnd = end;
            if (lineEnd > start && content[lineEnd - 1] == '\r') {
                lineEnd--; // bufio.ScanLines drops a trailing \r
            }
            if (end - start >= MAX_LINE) {
                throw new ContextException("failed parsing " + name + ": bufio.Scanner: token too long");
            }
            int from = start;
            if (lineNo == 0 && lineEnd - from >= 3 && (content[from] & 0xFF) == 0xEF
                    && (content[from + 1] & 0xFF) == 0xBB && (content[from + 2] & 0xFF) == 0xBF) {
                from += 3;
            }
            lineNo++;
            String line = new String(content, from, lineEnd - from, StandardCharsets.UTF_8);
            start = end + 1;
            String pattern = normalize(line);
            if (pattern != null) {
                out.add(pattern);
            }
        }
        return List.copyOf(out);
    }

    /** One line's pattern, or null for a comment or blank line. */
    private static String normalize(String line) {
        if (line.startsWith("#")) {
            return null;
        }
        String pattern = GoPaths.trimSpace(line);
        if (pattern.isEmpty()) {
            return null;
        }
        boolean invert = pattern.charAt(0) == '!';
        if (invert) {
            pattern = GoPaths.trimSpace(pattern.substring(1));
        }
        if (!pattern.isEmpty()) {
            pattern = GoPaths.clean(pattern);
            if (pattern.length() > 1 && pattern.charAt(0) == '/') {
                pattern = pattern.substring(1);
            }
        }
        return invert ? "!" + pattern : pattern;
    }
}
