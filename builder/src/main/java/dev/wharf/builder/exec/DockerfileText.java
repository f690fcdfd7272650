package dev.wharf.builder.exec;

import dev.wharf.builder.plan.Step;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.Directive;
import dev.wharf.grammar.parser.DirectiveParser;
import dev.wharf.grammar.parser.Directives;
import java.util.List;
import java.util.Optional;

/**
 * A Dockerfile's name and lines, to show a step as written: BuildKit's progress names a step by its source text.
 * Immutable and thread-safe.
 *
 * @param escape the escape character its {@code # escape=} directive sets, else {@code \}
 */
record DockerfileText(String name, List<String> lines, char escape) {
    DockerfileText {
        lines = List.copyOf(lines);
    }

    /**
     * The text's lines and escape character, the directive read by the grammar's {@link DirectiveParser}, so also
     * a Dockerfile that failed to parse further down is shown with its own escape character.
     */
    static DockerfileText of(String name, String text) {
        List<String> lines = List.of(text.split("\r?\n", -1));
        char escape = Directives.DEFAULT_ESCAPE;
        DirectiveParser directives = new DirectiveParser();
        try {
            for (String line : lines) {
                Optional<Directive> directive = directives.parseLine(line);
                if (directives.done()) {
                    break;
                }
                if (directive.isPresent() && directive.get().name().equals("escape")
                        && (directive.get().value().equals("`") || directive.get().value().equals("\\"))) {
                    escape = directive.get().value().charAt(0);
                }
            }
        } catch (DockerfileException e) {
            // A repeated directive: the parse reports it; the text is shown with the escape character read so far.
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

    /**
     * {@code step} as BuildKit names it: an ONBUILD trigger by its own text (initOnBuildTriggers keeps the parsed
     * trigger's Original and only moves its location to the FROM that runs it), any other step by its lines here.
     */
    String text(Step step) {
        return step.onBuild() ? step.instruction().origin().code() : text(step.range());
    }
}
