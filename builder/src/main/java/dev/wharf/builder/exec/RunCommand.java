package dev.wharf.builder.exec;

import dev.wharf.grammar.instructions.CommandLine;
import dev.wharf.grammar.instructions.InlineFile;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The argv of a RUN step, as BuildKit's {@code dispatchRun} (dockerfile2llb/convert.go) builds it: exec form as
 * written; shell form behind the shell; a RUN that is only one here-document runs the document's text in the shell
 * (the "fake heredoc" of moby/buildkit#2099), unless the text starts with {@code #!}: then it is a script file
 * mounted at {@code /dev/pipes/NAME} (mode 0755) and the shell runs that path; other here-documents are put back
 * after the command for the shell to read. Stateless.
 */
final class RunCommand {
    private static final Pattern HEREDOC_ONLY = Pattern.compile("<<-?\\s*(['\"]?)[A-Za-z0-9_.-]+\\1");

    private RunCommand() {
    }

    /** The directory BuildKit mounts a shebang here-document into. */
    static final String PIPES = "/dev/pipes";

    /**
     * The here-document to run as a script file: the RUN is one here-document only and its text (after {@code <<-}
     * tab removal) starts with {@code #!}; empty otherwise.
     */
    static java.util.Optional<InlineFile> shebangScript(CommandLine command) {
        if (!command.prependShell() || command.files().size() != 1
                || !HEREDOC_ONLY.matcher(String.join(" ", command.values()).trim()).matches()
                || !content(command.files().get(0)).startsWith("#!")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(command.files().get(0));
    }

    /** The text of the script file of {@link #shebangScript}. */
    static String scriptText(InlineFile file) {
        return content(file);
    }

    static List<String> argv(CommandLine command, List<String> shell) {
        List<String> args = command.values();
        if (!command.prependShell()) {
            return args;
        }
        String script = String.join(" ", args);
        if (!command.files().isEmpty()) {
            if (shebangScript(command).isPresent()) {
                script = PIPES + "/" + command.files().get(0).name();
            } else if (command.files().size() == 1 && HEREDOC_ONLY.matcher(script.trim()).matches()) {
                script = content(command.files().get(0));
            } else {
                StringBuilder full = new StringBuilder(script);
                for (InlineFile file : command.files()) {
                    full.append('\n').append(file.data()).append(file.name());
                }
                script = full.toString();
            }
        }
        List<String> out = new ArrayList<>(shell);
        out.add(script);
        return List.copyOf(out);
    }

    /** The document's text, leading tabs removed for {@code <<-}. */
    private static String content(InlineFile file) {
        if (!file.chomp()) {
            return file.data();
        }
        return file.data().replaceAll("(?m)^\\t+", "");
    }
}
