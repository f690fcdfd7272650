package dev.wharf.cli;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.NodeDumper;
import dev.wharf.grammar.parser.ParseResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf parse}: parses a Dockerfile and prints its syntax tree or its typed instructions. */
@Command(name = "parse", mixinStandardHelpOptions = true,
        description = "Parse a Dockerfile and print its syntax tree (--dump, BuildKit's format) or its typed "
                + "instructions with positions (--json).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the Dockerfile parsed", "1:syntax error (FILE:LINE:COL: message)", "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf parse Dockerfile", "  wharf parse --json app/Dockerfile", "  cat Dockerfile | wharf parse -"})
final class ParseCommand implements Callable<Integer> {

    static final class Format {
        @Option(names = "--dump", description = "Print BuildKit's Node.Dump() format (default).")
        boolean dump;

        @Option(names = "--json", description = "Print the typed instructions as JSON, with line and column.")
        boolean json;
    }

    @ArgGroup(exclusive = true)
    Format format = new Format();

    @Parameters(index = "0", paramLabel = "FILE", description = "The Dockerfile; '-' reads standard input.")
    String file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DockerfileSource source;
        try {
            source = DockerfileSource.read(file, System.in);
        } catch (IOException e) {
            err.println("wharf parse: cannot read " + file + ": " + describe(e));
            return ExitCodes.FAILED;
        }
        try {
            ParseResult result = DockerfileParser.parse(source.name(), source.text());
            if (format.json) {
                out.print(JsonOutput.render(source.name(), result));
            } else {
                // BuildKit's dumper prints the root's dump followed by one newline.
                out.println(NodeDumper.dump(result));
            }
            out.flush();
            return ExitCodes.OK;
        } catch (DockerfileException e) {
            new SourceErrorPrinter(err).print(e, source.text());
            return ExitCodes.FAILED;
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
