package dev.wharf.builder.exec;

import dev.wharf.builder.plan.Step;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.shell.EnvGetter;
import dev.wharf.grammar.shell.ShellExpansionException;
import dev.wharf.grammar.shell.ShellLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name progress shows for a step, as BuildKit names its vertex ({@code dockerfile2llb/convert.go},
 * {@code dispatchRun}, {@code dispatchWorkdir}, {@code convert_copy.go}): the instruction as written, its keyword
 * upper-cased and its variables expanded with the step's environment (ARGs included). A RUN keeps its quotes and
 * the variables it does not know ({@code RawQuotes}, {@code SkipUnsetEnv}), and shows secrets' variables as
 * {@code ****}; COPY, ADD and WORKDIR are expanded as words. A RUN with here-documents is named by its first line
 * without the documents' bodies, plus, when the whole command is one here-document, a summary of it:
 * {@code RUN <<EOF (set -e...)}; a COPY or ADD of here-documents by its line alone. Only the displayed name: cache keys and history use the full text. Stateless.
 */
final class StepNames {
    /** A command that is nothing but a here-document marker, BuildKit's {@code MustParseHeredoc} of the command. */
    private static final Pattern HEREDOC_ONLY = Pattern.compile("<<-?\\s*(['\"]?)[^\\s'\"<]+\\1");

    private StepNames() {
    }

    /** The name without expansion (a step outside the planner's environment). */
    static String of(Instruction instruction, String text) {
        // BuildKit names a step by its parser node's Original, the instruction's line: a COPY or ADD of
        // here-documents without their bodies, which its expansion never sees (a body's lone quote would fail it).
        if (instruction instanceof CopyInstruction copy && !copy.files().sourceContents().isEmpty()) {
            return copy.origin().code();
        }
        if (instruction instanceof AddInstruction add && !add.files().sourceContents().isEmpty()) {
            return add.origin().code();
        }
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

    /** The name BuildKit shows for {@code step}, written as {@code text}. */
    static String of(Step step, String text, char escapeChar) {
        String name = of(step.instruction(), text);
        List<String> env = new ArrayList<>(step.environment().env());
        ShellLexer lexer = ShellLexer.create(escapeChar);
        if (step.instruction() instanceof RunInstruction) {
            lexer = lexer.withRawQuotes(true).withSkipUnsetEnv(true);
            for (Mount mount : step.mounts()) {
                mount.env().ifPresent(variable -> env.add(variable + "=****"));
            }
        }
        String expanded;
        try {
            expanded = lexer.processWord(name, EnvGetter.fromList(env));
        } catch (ShellExpansionException | RuntimeException e) {
            expanded = name;
        }
        int space = expanded.indexOf(' ');
        return space < 0 ? expanded.toUpperCase(Locale.ROOT)
                : expanded.substring(0, space).toUpperCase(Locale.ROOT) + expanded.substring(space);
    }

    /** BuildKit's {@code summarizeHeredoc}: the first line of the trimmed document, "..." when more follow. */
    static String summarize(String document) {
        String[] lines = document.strip().replace("\r\n", "\n").split("\n", -1);
        return lines.length > 1 ? lines[0] + "..." : lines[0];
    }
}
