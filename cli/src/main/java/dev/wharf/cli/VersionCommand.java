package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf version}: prints the version of wharf and of the Java runtime. */
final class VersionCommand implements Callable<Integer> {
    private CommandSpec spec;

    /** A new {@code version} command and its model. */
    static CommandSpec model() {
        VersionCommand command = new VersionCommand();
        command.spec = CommandModel.command(command, "version", lines("Show the wharf version."),
                lines("0:printed"), "  wharf version", "  wharf --version");
        return CommandModel.withStandardHelp(command.spec);
    }

    @Override
    public Integer call() {
        for (String line : new VersionProvider().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return ExitCodes.OK;
    }
}
