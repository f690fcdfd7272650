package dev.wharf.cli;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.json.AstJson;
import dev.wharf.grammar.parser.ParseResult;

/** Renders the typed instructions of a parsed Dockerfile as JSON for {@code wharf parse --json}. */
final class JsonOutput {

    private JsonOutput() {
    }

    /** Turns {@code result} into typed instructions (which validates them) and writes them as JSON. */
    static String render(String file, ParseResult result) throws DockerfileException {
        Dockerfile dockerfile = DockerfileReader.read(file, result);
        return new AstJson().write(dockerfile) + System.lineSeparator();
    }
}
