package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf completion bash}: prints the shell completion script of every command and flag. */
final class CompletionCommand implements Callable<Integer> {
    private String shell;
    private CommandSpec spec;

    /** A new {@code completion} command and its model. */
    static CommandSpec model() {
        CompletionCommand command = new CompletionCommand();
        CommandSpec spec = CommandModel.command(command, "completion",
                lines("Print a shell completion script for wharf (commands, flags, file arguments).",
                        "The script is for bash; zsh runs it after 'autoload -U bashcompinit && bashcompinit'. The "
                                + "package build also writes it next to the jar, as cli/target/wharf_completion."),
                lines("0:the script was printed", "2:usage error (a shell other than bash or zsh)",
                        ExitCodes.FLAG_HELP),
                "  source <(wharf completion bash)",
                "  wharf completion bash > /etc/bash_completion.d/wharf",
                "  autoload -U bashcompinit && bashcompinit && source <(wharf completion zsh)");
        command.spec = spec;
        spec.addPositional(CommandModel.positional("0", "SHELL").required(false).defaultValue("bash")
                .description("bash (default) or zsh.")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    public Integer call() {
        shell = CommandModel.positionalValue(spec, 0);
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "wharf completion: unsupported shell "
                    + shell + "; use bash or zsh");
        }
        spec.commandLine().getOut().print(script());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** The completion script of the whole command tree. */
    static String script() {
        CommandLine full = WharfCommand.commandLine(new java.io.PrintWriter(java.io.OutputStream.nullOutputStream()),
                new java.io.PrintWriter(java.io.OutputStream.nullOutputStream()));
        return AutoComplete.bash("wharf", full);
    }

    /** Writes the script to the file {@code args[0]}: run at package time, next to the jar. */
    public static void main(String[] args) throws java.io.IOException {
        java.nio.file.Files.writeString(java.nio.file.Path.of(args[0]), script());
    }
}
