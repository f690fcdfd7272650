package dev.wharf.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code wharf} command; its subcommands do the work. */
@Command(
        name = "wharf",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Builds OCI images from Dockerfiles, without a Docker daemon.",
        subcommands = {BuildCommand.class, ImportCommand.class, ImagesCommand.class, InspectCommand.class,
            TagCommand.class, RmiCommand.class, PullCommand.class, PushCommand.class, LoadCommand.class,
            SaveCommand.class, PruneCommand.class, RunCommand.class, DoctorCommand.class, ParseCommand.class, VersionCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the operation failed (a build failed, a Dockerfile syntax error)",
            "2:usage error (unknown flag, missing argument)"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf import rootfs.tar busybox:latest", "  wharf load -i busybox.tar",
            "  wharf build -t hello testdata/examples/hello", "  wharf run hello", "  wharf inspect hello",
            "  wharf save hello -o hello.tar",
            "  wharf pull alpine:3.20", "  wharf push localhost:5000/hello:1.0", "  wharf rmi hello && wharf prune", "  wharf parse --dump Dockerfile"})
public final class WharfCommand implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Show Java stack traces of internal errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The configured command line: output streams, exit codes and error handlers wired. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new WharfCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new InternalErrorHandler());
        commandLine.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
        commandLine.getCommandSpec().exitCodeOnExecutionException(ExitCodes.FAILED);
        // Everything after the image name belongs to the command wharf run starts.
        commandLine.getSubcommands().get("run").setStopAtPositional(true);
        return commandLine;
    }

    boolean debug() {
        return debug;
    }
}
