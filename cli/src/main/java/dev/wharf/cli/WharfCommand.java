package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;

/**
 * The top-level {@code wharf} command; its subcommands do the work. Every command's model is built in code
 * ({@link CommandModel}), except picocli's own {@code help}, which picocli reads from its annotations when it is
 * registered: for the whole tree ({@code wharf --help}, {@code help}, completion), never for a named command.
 */
public final class WharfCommand implements Runnable {
    /** Every subcommand's name, in the order {@code wharf --help} lists them. */
    private static final List<String> SUBCOMMANDS = List.of("build", "import", "images", "inspect", "history",
            "tag", "rmi", "pull", "push", "load", "save", "prune", "run", "doctor", "parse", "version", "completion",
            "help");

    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The model of the top-level command: {@code --debug}, which every subcommand inherits, and the usage. */
    static CommandSpec model() {
        WharfCommand command = new WharfCommand();
        CommandSpec spec = CommandModel.command(command, "wharf",
                lines("Builds OCI images from Dockerfiles, without a Docker daemon."),
                lines("0:success", "1:the operation failed (a build failed, a Dockerfile syntax error), or the "
                                + "command was given too few or too many arguments",
                        "2:an option's value is invalid",
                        ExitCodes.FLAG_HELP),
                "  wharf import rootfs.tar busybox:latest", "  wharf load -i busybox.tar",
                "  wharf build -t hello testdata/examples/hello", "  wharf run hello", "  wharf inspect hello",
                "  wharf save hello -o hello.tar", "  wharf pull alpine:3.20", "  wharf push localhost:5000/hello:1.0",
                "  wharf rmi hello && wharf prune", "  wharf doctor --repair", "  wharf parse --dump Dockerfile",
                "  source <(wharf completion bash)");
        command.spec = spec;
        spec.versionProvider(new VersionProvider());
        spec.addOption(CommandModel.flag("debug", "--debug").scopeType(ScopeType.INHERIT)
                .description("Show Java stack traces of internal errors.")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    /** The subcommand {@code name}: its model, or for picocli's {@code help} its class. */
    private static Object subcommand(String name) {
        return switch (name) {
            case "build" -> BuildModel.create();
            case "import" -> ImportCommand.model();
            case "images" -> ImagesCommand.model();
            case "inspect" -> InspectCommand.model();
            case "history" -> HistoryCommand.model();
            case "tag" -> TagCommand.model();
            case "rmi" -> RmiCommand.model();
            case "pull" -> PullCommand.model();
            case "push" -> PushCommand.model();
            case "load" -> LoadCommand.model();
            case "save" -> SaveCommand.model();
            case "prune" -> PruneCommand.model();
            case "run" -> RunCommand.model();
            case "doctor" -> DoctorCommand.model();
            case "version" -> VersionCommand.model();
            case "completion" -> CompletionCommand.model();
            case "parse" -> ParseCommand.model();
            case "help" -> CommandLine.HelpCommand.class;
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    /** The configured command line with every subcommand: for help, completion scripts and tests. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, Set.copyOf(SUBCOMMANDS));
    }

    /**
     * The command line for {@code args}: only the subcommand they name, when they name one. Building the models
     * of every command costs more than running {@code wharf version}, so a run that names its command builds and
     * registers that one alone; anything else (no command, {@code help}, an
     * unknown name) gets them all, so usage and suggestions stay complete.
     */
    static CommandLine forArgs(String[] args, PrintWriter out, PrintWriter err) {
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            if (!arg.startsWith("-")) {
                boolean single = SUBCOMMANDS.contains(arg) && !arg.equals("help") && !arg.equals("completion");
                return commandLine(out, err, single ? Set.of(arg) : Set.copyOf(SUBCOMMANDS));
            }
        }
        // wharf --version needs no subcommand; everything else without one (--help, nothing) lists them all.
        boolean versionOnly = args.length > 0 && Arrays.stream(args)
                .allMatch(a -> a.equals("--version") || a.equals("-V") || a.equals("--debug"));
        return versionOnly ? commandLine(out, err, Set.of()) : commandLine(out, err);
    }

    private static CommandLine commandLine(PrintWriter out, PrintWriter err, Set<String> names) {
        CommandLine commandLine = new CommandLine(model(), CommandModel.FACTORY);
        for (String name : SUBCOMMANDS) {
            if (names.contains(name)) {
                commandLine.addSubcommand(name, subcommand(name));
            }
        }
        // cobra (docker buildx) keeps the last value of a repeated single-value flag (`--target a --target b`,
        // `-q -q`); picocli refuses it unless told otherwise. Set after the subcommands so that they inherit it.
        commandLine.setOverwrittenOptionsAllowed(true);
        // pflag's booleans take Go's spellings (--no-cache=1, --pull=t), and only those: picocli's own converter
        // accepts true/false in any case and nothing else.
        commandLine.registerConverter(Boolean.class, GoBoolean.INSTANCE);
        commandLine.registerConverter(boolean.class, GoBoolean.INSTANCE);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new InternalErrorHandler());
        commandLine.setParameterExceptionHandler(
                new CommandLineErrorHandler(commandLine.getParameterExceptionHandler()));
        commandLine.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
        commandLine.getCommandSpec().exitCodeOnExecutionException(ExitCodes.FAILED);
        if (commandLine.getSubcommands().containsKey("run")) {
            // Everything after the image name belongs to the command wharf run starts.
            commandLine.getSubcommands().get("run").setStopAtPositional(true);
        }
        return commandLine;
    }

    /** A flag's boolean value as Go's strconv.ParseBool reads it. A class, not a lambda: no bootstrap per command. */
    private static final class GoBoolean implements CommandLine.ITypeConverter<Boolean> {
        static final GoBoolean INSTANCE = new GoBoolean();

        @Override
        public Boolean convert(String value) {
            java.util.Optional<Boolean> parsed = dev.wharf.grammar.go.GoNumbers.parseBool(value);
            if (parsed.isEmpty()) {
                throw new CommandLine.TypeConversionException("invalid syntax");
            }
            return parsed.get();
        }
    }
}
