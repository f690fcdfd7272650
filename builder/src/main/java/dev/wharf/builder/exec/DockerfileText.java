package dev.wharf.builder.exec;

import dev.wharf.grammar.SourceRange;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile's name and lines, to show a step as written: BuildKit's progress names a step by its source text.
 * Immutable and thread-safe.
 *
 * @param escape the escape character its {@code # escape=} directive sets, else {@code \}
 */
record DockerfileText(String name, List<String> lines, char escape) {
    private static final Pattern DIRECTIVE = Pattern.compile("^\\s*#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");

    DockerfileText {
        lines = List.copyOf(lines);
    }

    static DockerfileText of(String name, String text) {
        List<String> lines = List.of(text.split("\r?\n", -1));
        char escape = '\\';
        for (String line : lines) {
            Matcher m = DIRECTIVE.matcher(line);
            if (!m.matches()) {
                break;
            }
            if (m.group(1).equalsIgnoreCase("escape") && m.group(2).length() == 1) {
                escape = m.group(2).charAt(0);
            }
        }
        return new DockerfileText(name, lines, escape);
    }

    /**
     * The instruction on {@code range} as BuildKit's parser keeps it ({@code Node.Original}): the first line without
     * its leading blanks, each line continuation (the escape character and blanks after it) removed and the next
     * line appended as it is, comment and blank lines inside the continuation skipped; here-documents kept on new
     * lines.
     */
    String text(SourceRange range) {
        int first = Math.max(1, range.start().line());
        int last = Math.min(lines.size(), Math.max(first, range.end().line()));
        StringBuilder out = new StringBuilder();
        boolean continued = false;
        for (int i = first; i <= last && i <= lines.size(); i++) {
            String line = lines.get(i - 1);
            if (i == first) {
                line = line.stripLeading();
            } else if (continued && (line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            } else if (!continued) {
                out.append('\n');
            }
            int end = line.length();
            while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
                end--;
            }
            continued = end > 0 && line.charAt(end - 1) == escape;
            out.append(continued ? line.substring(0, end - 1) : line);
        }
        return out.toString().strip();
    }
}
