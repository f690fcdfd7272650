package dev.wharf.grammar.parser;

import dev.wharf.grammar.go.GoQuote;
import dev.wharf.grammar.go.GoStrings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Renders parse results in BuildKit's {@code Node.Dump()} format: one {@code (keyword ["--flag"] "arg" ...)}
 * line per instruction, values quoted with Go's {@code strconv.Quote}.
 *
 * <p>Stateless and thread-safe. Comments, directives, line numbers and heredoc bodies are not rendered. Nested
 * ONBUILD instructions are rendered without recursion, so any nesting depth is fine.
 */
public final class NodeDumper {

    private NodeDumper() {
    }

    /** The dump of a whole file, as BuildKit's root {@code Dump()}, without a final newline. */
    public static String dump(ParseResult result) {
        StringBuilder out = new StringBuilder();
        for (Node child : result.children()) {
            out.append('(');
            dump(child, out);
            out.append(")\n");
        }
        return goTrimSpace(out.toString());
    }

    /** The dump of one instruction, without the surrounding parentheses. */
    public static String dump(Node node) {
        StringBuilder out = new StringBuilder();
        dump(node, out);
        return out.toString();
    }

    /**
     * Each level renders as its head (keyword and flags), then {@code (child)}, then its quoted arguments, joined
     * by single spaces; BuildKit's TrimSpace only ever removes the space before a part when the head is empty.
     */
    private static void dump(Node node, StringBuilder out) {
        List<Node> levels = new ArrayList<>();
        for (Optional<Node> n = Optional.of(node); n.isPresent(); n = n.get().child()) {
            levels.add(n.get());
        }
        for (Node level : levels) {
            int before = out.length();
            out.append(level.keyword());
            if (!level.flags().isEmpty()) {
                out.append(out.length() > before ? " " : "").append(GoQuote.quoteList(level.flagValues()));
            }
            if (level.child().isPresent()) {
                out.append(out.length() > before ? " (" : "(");
            }
        }
        for (int i = levels.size() - 1; i >= 0; i--) {
            Node level = levels.get(i);
            boolean somethingBefore = level.child().isPresent() || !level.keyword().isEmpty()
                    || !level.flags().isEmpty();
            if (i < levels.size() - 1) {
                out.append(')');
            }
            for (Word arg : level.arguments()) {
                if (somethingBefore) {
                    out.append(' ');
                }
                out.append(GoQuote.quote(arg.text()));
                somethingBefore = true;
            }
        }
    }

    private static String goTrimSpace(String s) {
        int a = GoStrings.skipSpace(s, 0, s.length());
        return s.substring(a, GoStrings.trimEnd(s, a, s.length()));
    }
}
