package dev.wharf.builder.sandbox;

import java.util.List;
import java.util.stream.Collectors;

/** POSIX shell quoting for the setup scripts the sandboxes generate. Stateless. */
final class Shell {
    private Shell() {
    }

    /** {@code s} as one single-quoted shell word; embedded single quotes become {@code '\''}. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Each word quoted, separated by spaces. */
    static String quote(List<String> words) {
        return words.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }
}
