package dev.wharf.builder.exec;

import dev.wharf.grammar.instructions.CommandLine;
import dev.wharf.grammar.instructions.InlineFile;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The argv of a RUN step, as BuildKit's {@code dispatchRun} (dockerfile2llb/convert.go) builds it: exec form as
 * written; shell form behind the shell; a RUN that is only one here-document runs the document's text in the shell
 * (the "fake heredoc" of moby/buildkit#2099); other here-documents are put back after the command for the shell to
 * read. Stateless.
 */
final class RunCommand {
    private static final Pattern HEREDOC_ONLY = Pattern.compile("<<-?\\s*(['\"]?)[A-Za-z0-9_.-]+\\1");

    private RunCommand() {
    }

    static List<String> argv(CommandLine command, List<String> shell) {
        List<String> args = command.values();
        if (!command.prependShell()) {
            return args;
        }
        String script = String.join(" ", args);
        if (!command.files().isEmpty()) {
            if (command.files().size() == 1 && HEREDOC_ONLY.matcher(script.trim()).matches()) {
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
