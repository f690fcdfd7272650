package dev.wharf.context.sources;

import dev.wharf.context.ContextException;

/**
 * A git remote that lists no branch, tag or ref of the asked name. The message is BuildKit's git source's
 * ({@code repository does not contain ref REF, output: "LS-REMOTE OUTPUT"}), the words users search for; the
 * main context wraps it as the frontend does ({@code failed to read dockerfile: failed to load cache key: ...}).
 */
public final class MissingGitRefException extends ContextException {
    private static final long serialVersionUID = 1L;

    MissingGitRefException(String ref, String lsRemoteOutput) {
        super("repository does not contain ref " + ref + ", output: " + goQuote(lsRemoteOutput));
    }

    /** Go's %q of ls-remote's text: what it can hold (ASCII names, tabs, newlines) escaped as Go escapes it. */
    private static String goQuote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
