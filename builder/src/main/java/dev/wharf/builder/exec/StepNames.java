package dev.wharf.builder.exec;

import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.RunInstruction;
import java.util.regex.Pattern;

/**
 * The name progress shows for a step, as BuildKit names its vertex ({@code dockerfile2llb/convert.go},
 * {@code dispatchRun}): a RUN with here-documents is named by its first line without the documents' bodies, plus,
 * when the whole command is one here-document, a summary of it: {@code RUN <<EOF (set -e...)}. Every other step
 * keeps its source text. Only the displayed name: cache keys and history use the full text. Stateless.
 */
final class StepNames {
    /** A command that is nothing but a here-document marker, BuildKit's {@code MustParseHeredoc} of the command. */
    private static final Pattern HEREDOC_ONLY = Pattern.compile("<<-?\\s*(['\"]?)[^\\s'\"<]+\\1");

    private StepNames() {
    }

    static String of(Instruction instruction, String text) {
        if (!(instruction instanceof RunInstruction run) || run.command().files().isEmpty()) {
            return text;
        }
        String name = run.origin().code();
        if (run.command().prependShell() && run.command().args().size() == 1
                && HEREDOC_ONLY.matcher(run.command().args().get(0).text()).matches()) {
            name += " (" + summarize(run.command().files().get(0).data()) + ")";
        }
        return name;
    }

    /** BuildKit's {@code summarizeHeredoc}: the first line of the trimmed document, "..." when more follow. */
    static String summarize(String document) {
        String[] lines = document.strip().replace("\r\n", "\n").split("\n", -1);
        return lines.length > 1 ? lines[0] + "..." : lines[0];
    }
}
