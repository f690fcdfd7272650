package dev.wharf.cli;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.NodeDumper;
import dev.wharf.grammar.parser.ParseResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf parse}: parses a Dockerfile and prints its syntax tree or its typed instructions. */
final class ParseCommand implements Callable<Integer> {
    private boolean json;
    private String file;
    private CommandSpec spec;

    /** A new {@code parse} command and its model. */
    static CommandSpec model() {
        ParseCommand command = new ParseCommand();
        CommandSpec spec = CommandModel.command(command, "parse",
                CommandModel.lines("Parse a Dockerfile and print its syntax tree (--dump, BuildKit's format) or its "
                        + "typed instructions with positions (--json)."),
                CommandModel.lines("0:the Dockerfile parsed", "1:syntax error (FILE:LINE:COL: message)",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf parse Dockerfile", "  wharf parse --json app/Dockerfile", "  cat Dockerfile | wharf parse -");
        command.spec = spec;
        // One of the two formats at most, as the annotations' exclusive @ArgGroup said.
        spec.addArgGroup(ArgGroupSpec.builder().exclusive(true).multiplicity("0..1")
                .addArg(CommandModel.flag("dump", "--dump")
                        .description("Print BuildKit's Node.Dump() format (default).")
                        .build())
                .addArg(CommandModel.flag("json", "--json")
                        .description("Print the typed instructions as JSON, with line and column.")
                        .build())
                .build());
        spec.addPositional(CommandModel.positional("0", "FILE")
                .description("The Dockerfile; '-' reads standard input.")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    public Integer call() {
        json = Boolean.TRUE.equals(CommandModel.value(spec, "--json"));
        file = CommandModel.positionalValue(spec, 0);
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
            if (json) {
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
