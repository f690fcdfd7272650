package dev.wharf.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code wharf} command; its subcommands do the work. */
@Command(
        name = "wharf",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Builds OCI images from Dockerfiles, without a Docker daemon.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the operation failed (a build failed, a Dockerfile syntax error)",
            "2:usage error (unknown flag, missing argument)"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf import rootfs.tar busybox:latest", "  wharf load -i busybox.tar",
            "  wharf build -t hello testdata/examples/hello", "  wharf run hello", "  wharf inspect hello",
            "  wharf save hello -o hello.tar", "  wharf pull alpine:3.20", "  wharf push localhost:5000/hello:1.0",
            "  wharf rmi hello && wharf prune", "  wharf doctor --repair", "  wharf parse --dump Dockerfile",
            "  source <(wharf completion bash)"})
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

    /** Every subcommand by name, in the order {@code wharf --help} lists them. */
    private static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> all = new LinkedHashMap<>();
        all.put("build", BuildCommand.class);
        all.put("import", ImportCommand.class);
        all.put("images", ImagesCommand.class);
        all.put("inspect", InspectCommand.class);
        all.put("history", HistoryCommand.class);
        all.put("tag", TagCommand.class);
        all.put("rmi", RmiCommand.class);
        all.put("pull", PullCommand.class);
        all.put("push", PushCommand.class);
        all.put("load", LoadCommand.class);
        all.put("save", SaveCommand.class);
        all.put("prune", PruneCommand.class);
        all.put("run", RunCommand.class);
        all.put("doctor", DoctorCommand.class);
        all.put("parse", ParseCommand.class);
        all.put("version", VersionCommand.class);
        all.put("completion", CompletionCommand.class);
        all.put("help", CommandLine.HelpCommand.class);
        return Collections.unmodifiableMap(all);
    }

    /** The class of the subcommand {@code name}, if there is one. */
    static Optional<Class<?>> subcommand(String name) {
        return Optional.ofNullable(SUBCOMMANDS.get(name));
    }

    /** The configured command line with every subcommand: for help, completion scripts and tests. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, SUBCOMMANDS.keySet());
    }

    /**
     * The command line for {@code args}: only the subcommand they name, when they name one. Picocli builds the
     * model of every registered command by reflection at startup, about a tenth of {@code wharf version}'s time,
     * so a run that names its command registers that one alone; anything else (no command, {@code help}, an
     * unknown name) gets them all, so usage and suggestions stay complete.
     */
    static CommandLine forArgs(String[] args, PrintWriter out, PrintWriter err) {
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            if (!arg.startsWith("-")) {
                boolean single = SUBCOMMANDS.containsKey(arg) && !arg.equals("help") && !arg.equals("completion");
                return commandLine(out, err, single ? Set.of(arg) : SUBCOMMANDS.keySet());
            }
        }
        // wharf --version needs no subcommand; everything else without one (--help, nothing) lists them all.
        boolean versionOnly = args.length > 0 && Arrays.stream(args)
                .allMatch(a -> a.equals("--version") || a.equals("-V") || a.equals("--debug"));
        return versionOnly ? commandLine(out, err, Set.of()) : commandLine(out, err);
    }

    private static CommandLine commandLine(PrintWriter out, PrintWriter err, Set<String> names) {
        CommandLine commandLine = new CommandLine(new WharfCommand());
        for (Map.Entry<String, Class<?>> sub : SUBCOMMANDS.entrySet()) {
            if (names.contains(sub.getKey())) {
                commandLine.addSubcommand(sub.getKey(), sub.getValue());
            }
        }
        // cobra (docker buildx) keeps the last value of a repeated single-value flag (`--target a --target b`,
        // `-q -q`); picocli refuses it unless told otherwise. Set after the subcommands so that they inherit it.
        commandLine.setOverwrittenOptionsAllowed(true);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new InternalErrorHandler());
        commandLine.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
        commandLine.getCommandSpec().exitCodeOnExecutionException(ExitCodes.FAILED);
        if (commandLine.getSubcommands().containsKey("run")) {
            // Everything after the image name belongs to the command wharf run starts.
            commandLine.getSubcommands().get("run").setStopAtPositional(true);
        }
        return commandLine;
    }

    boolean debug() {
        return debug;
    }
}
