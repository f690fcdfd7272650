package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutline;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.CheckReport;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The {@code --call} methods of {@code wharf build} that build nothing: {@code targets} (which needs no engine),
 * {@code outline} and {@code check}, each printing BuildKit's subrequest result as text or as buildx's JSON, and
 * their errors as a build's. Used once, by the command that made it.
 */
final class SubrequestCalls {
    /** The {@code -f} argument, or null: names the Dockerfile as the engine does. */
    private final String file;
    /**
     * The Dockerfile's text when it can be read here (see BuildCommand), read when asked for: an error report
     * shows it as it is then.
     */
    private final Supplier<Optional<String>> dockerfileText;

    SubrequestCalls(String file, Supplier<Optional<String>> dockerfileText) {
        this.file = file;
        this.dockerfileText = dockerfileText;
    }

    /**
     * {@code --call=targets}, which builds nothing and needs no engine: lists the stages (BuildKit's
     * frontend.targets subrequest) of the Dockerfile read here (of a directory context, {@code -f FILE} or
     * {@code -f -}), its text read once; a syntax error is printed with its lines, as a build prints it.
     */
    int printTargets(boolean json, PrintWriter out, PrintWriter err) {
        Optional<String> text = dockerfileText.get();
        if (text.isEmpty()) {
            err.println("wharf build: --call=targets reads the Dockerfile of a directory context, -f FILE or "
                    + "-f -; it cannot read it from this context");
            return ExitCodes.USAGE;
        }
        String name = file == null || file.equals("-") ? "Dockerfile" : Path.of(file).getFileName().toString();
        try {
            dev.wharf.grammar.instructions.Dockerfile dockerfile = dev.wharf.grammar.instructions.DockerfileReader
                    .read(name, dev.wharf.grammar.parser.DockerfileParser.parse(name, text.get()));
            if (json) {
                printJson(out, SubrequestJson.targets(dockerfile, text.get().getBytes(StandardCharsets.UTF_8)));
            } else {
                new TargetsPrinter(out).print(dockerfile);
            }
            return ExitCodes.OK;
        } catch (dev.wharf.grammar.DockerfileException e) {
            new SourceErrorPrinter(err).print(e, text.get());
            return ExitCodes.FAILED;
        }
    }

    /** A subrequest's result.json, as buildx prints it (fmt.Fprintln). */
    private static void printJson(PrintWriter out, String json) {
        out.println(json);
        out.flush();
    }

    /**
     * {@code --call=outline}: what the target takes (BuildKit's frontend.outline subrequest), which builds nothing
     * but, as BuildKit, resolves the base images of the stages the target needs, whose environments ARG defaults
     * read; errors are reported as a build's.
     */
    int outline(BuildEngine engine, BuildRequest request, BuildProgress display, boolean json,
                PrintWriter out, PrintWriter err) throws InterruptedException {
        try {
            BuildOutline outline = engine.outline(request).get();
            display.close();
            if (json) {
                printJson(out, SubrequestJson.outline(outline,
                        outline.source().getBytes(StandardCharsets.UTF_8)));
            } else {
                new OutlinePrinter(out).print(outline);
            }
            return ExitCodes.OK;
        } catch (ExecutionException e) {
            return planningFailed(e, display, "ERROR: ", err);
        }
    }

    /**
     * Reports why a {@code --call} that plans but builds nothing failed: a planning error with its Dockerfile
     * lines, as a build's; anything else after {@code prefix}.
     */
    private int planningFailed(ExecutionException e, BuildProgress display, String prefix, PrintWriter err) {
        display.close();
        if (e.getCause() instanceof BuildFailedException failed) {
            new BuildErrorReport(err).print(failed, display.failedStep(), dockerfileText.get());
        } else {
            err.println(prefix + e.getCause().getMessage());
        }
        return ExitCodes.FAILED;
    }

    /**
     * {@code --check}: the checks' report on standard output, as buildx prints {@code --call=check}; with
     * {@code ignoreStatus} (ignorestatus=true) findings exit 0 as in buildx, but an error stays an error.
     */
    int check(BuildEngine engine, BuildRequest request, BuildProgress display, boolean ignoreStatus,
              boolean json, PrintWriter out, PrintWriter err) throws InterruptedException {
        try {
            CheckReport report = engine.check(request).get();
            display.close();
            Optional<String> text = dockerfileText.get(); // read once: the JSON carries it and the error shows it
            int code = json ? new CheckPrinter(out, err).printJson(report, text,
                    SubrequestJson.lint(report, text.orElse("").getBytes(StandardCharsets.UTF_8)))
                    : new CheckPrinter(out, err).print(report, text);
            return ignoreStatus && code == ExitCodes.FAILED && report.error().isEmpty() ? ExitCodes.OK : code;
        } catch (ExecutionException e) {
            return planningFailed(e, display, "wharf build: ", err);
        }
    }
}
