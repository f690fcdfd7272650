package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf run}: runs an image's command in the sandbox, for smoke tests. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run an image's entrypoint and command (or CMD... instead of its command) in the sandbox, "
                + "without network; exits with the command's exit code.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"N:the command's own exit code", "1:no such image, or the sandbox failed to start",
            "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf run hello", "  wharf run busybox:latest echo hi", "  wharf run --runtime builtin hello"})
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image name.")
    String image;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Mixin
    StoreOptions store;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
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
