package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.List;

/**
 * The command of RUN, CMD or ENTRYPOINT: BuildKit's {@code ShellDependantCmdLine}. In exec (JSON) form
 * {@code args} are the array elements; in shell form they are one word, the arguments joined by single spaces
 * ({@code handleJSONArgs}), to be run by the stage's shell ({@code prependShell}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param args         the command words (empty for {@code CMD []})
 * @param prependShell true in shell form, false in exec form
 * @param files        here-documents that follow the line (RUN; shell form only)
 */
public record CommandLine(List<Word> args, boolean prependShell, List<InlineFile> files) {
    public CommandLine {
        args = List.copyOf(args);
        files = List.copyOf(files);
    }

    /** Whether the command was written as a JSON array. */
    public boolean json() {
        return !prependShell;
    }

    /** The command words without positions: BuildKit's {@code CmdLine}. */
    public List<String> values() {
        return args.stream().map(Word::text).toList();
    }
}
