package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.positional;
import static dev.wharf.cli.CommandModel.positionalValue;
import static dev.wharf.cli.CommandModel.positionals;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf run}: runs an image's command in the sandbox, for smoke tests. */
final class RunCommand implements Callable<Integer> {
    String image;
    List<String> command = new ArrayList<>();
    StoreOptions store;
    CommandSpec spec;

    /** A new {@code run} command and its model. */
    static CommandSpec model() {
        RunCommand command = new RunCommand();
        CommandSpec spec = CommandModel.command(command, "run",
                lines("Run an image's entrypoint and command (or CMD... instead of its command) in the sandbox, "
                                + "without network; exits with the command's exit code."),
                lines("N:the command's own exit code",
                        "1:no such image, or the sandbox failed to start",
                        "2:usage error", ExitCodes.FLAG_HELP,
                        "126:the command is not executable (as docker run)",
                        "127:the command was not found (as docker run)"),
                "  wharf run hello",
                "  wharf run busybox:latest echo hi",
                "  wharf run --runtime builtin hello");
        command.spec = spec;
        spec.addPositional(positional("0", "IMAGE")
                .description("The image name.")
                .build());
        spec.addPositional(positionals("1..*", "CMD").arity("0..1").initialValue(new ArrayList<String>())
                .description("The command and its arguments.")
                .build());
        spec.addMixin(StoreOptions.MIXIN, StoreOptions.mixin());
        return CommandModel.withStandardHelp(spec);
    }

    /** Puts the values the model parsed (or its defaults) into the fields. */
    private void read() {
        image = positionalValue(spec, 0);
        command = positionalValue(spec, 1);
        store = StoreOptions.of(spec);
    }

    @Override
    public Integer call() {
        read();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (BuildEngine engine = BuildEngine.create(store.engineOptions());
             InterruptOnShutdown stop = new InterruptOnShutdown()) {
            int code = engine.run(image, command, (stream, line) -> {
                PrintWriter target = stream == 2 ? err : out;
                synchronized (target) {
                    target.println(line);
                    target.flush();
                }
            });
            return code;
        } catch (EngineException e) {
            err.println("wharf run: " + e.getMessage());
            return ExitCodes.FAILED;
        } catch (InterruptedException e) {
            // Ctrl-C or SIGTERM: the command was killed and its sandbox removed (InterruptOnShutdown).
            err.println("wharf run: cancelled");
            return ExitCodes.FAILED;
        }
    }
}
