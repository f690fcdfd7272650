package dev.wharf.grammar.parser;

import dev.wharf.grammar.DockerfileException;

/**
 * Parses Dockerfile text into {@link ParseResult}: BuildKit's {@code parser.Parse}.
 *
 * <p>Stateless and thread-safe.
 */
public final class DockerfileParser {

    private DockerfileParser() {
    }

    /** Parses {@code text}; errors name {@code file}. */
    public static ParseResult parse(String file, String text) throws DockerfileException {
        throw new DockerfileException(file, null, "parser not written yet");
    }

    /** Parses {@code text}, errors naming it {@code Dockerfile}. */
    public static ParseResult parse(String text) throws DockerfileException {
        return parse("Dockerfile", text);
    }
}
