package dev.wharf.builder.exec;

import dev.wharf.grammar.SourceRange;
import java.util.ArrayList;
import java.util.List;

/**
 * A Dockerfile's name and lines, to show a step as written: BuildKit's progress names a step by its source text.
 * Immutable and thread-safe.
 */
record DockerfileText(String name, List<String> lines) {
    DockerfileText {
        lines = List.copyOf(lines);
    }

    static DockerfileText of(String name, String text) {
        return new DockerfileText(name, List.of(text.split("\r?\n", -1)));
    }

    /** The instruction on {@code range}: its lines with continuations joined, here-documents kept on new lines. */
    String text(SourceRange range) {
        int first = Math.max(1, range.start().line());
        int last = Math.min(lines.size(), Math.max(first, range.end().line()));
        List<String> parts = new ArrayList<>();
        for (int i = first; i <= last && i <= lines.size(); i++) {
            parts.add(lines.get(i - 1));
        }
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            String trimmed = part.strip();
            if (out.length() > 0 && out.charAt(out.length() - 1) == '\\') {
                out.setLength(out.length() - 1);
                out.append(trimmed.isEmpty() ? "" : (out.toString().endsWith(" ") ? "" : " ") + trimmed);
            } else if (out.length() > 0) {
                out.append('\n').append(part);
            } else {
                out.append(trimmed);
            }
        }
        return out.toString().strip();
    }
}
