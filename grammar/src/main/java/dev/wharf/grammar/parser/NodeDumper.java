package dev.wharf.grammar.parser;

/**
 * Renders parse results in BuildKit's {@code Node.Dump()} format: one {@code (keyword ["--flag"] "arg" ...)}
 * line per instruction, values quoted with Go's {@code strconv.Quote}.
 *
 * <p>Stateless and thread-safe. Comments, directives, line numbers and heredoc bodies are not rendered.
 */
public final class NodeDumper {

    private NodeDumper() {
    }

    /** The dump of a whole file, as BuildKit's root {@code Dump()}, without a final newline. */
    public static String dump(ParseResult result) {
        StringBuilder out = new StringBuilder();
        for (Node child : result.children()) {
            out.append('(').append(dump(child)).append(")\n");
        }
        return goTrimSpace(out.toString());
    }

    /** The dump of one instruction, without the surrounding parentheses. */
    public static String dump(Node node) {
        StringBuilder out = new StringBuilder(node.keyword());
        if (!node.flags().isEmpty()) {
            out.append(' ').append(GoQuote.quoteList(node.flagValues()));
        }
        if (node.child().isPresent()) {
            // the ONBUILD argument node has the nested instruction as its only child
            out.append(' ').append(goTrimSpace('(' + dump(node.child().get()) + ")\n"));
        }
        for (Word arg : node.arguments()) {
            out.append(' ').append(GoQuote.quote(arg.text()));
        }
        return goTrimSpace(out.toString());
    }

    private static String goTrimSpace(String s) {
        int a = GoText.skipSpace(s, 0, s.length());
        return s.substring(a, GoText.trimEnd(s, a, s.length()));
    }
}
