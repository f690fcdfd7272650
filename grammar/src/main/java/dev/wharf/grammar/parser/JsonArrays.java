package dev.wharf.grammar.parser;

import dev.wharf.grammar.DockerfileException;
import java.util.List;
import java.util.Optional;

/**
 * Reads the exec form of RUN, CMD, ENTRYPOINT, SHELL, ADD, COPY and VOLUME: BuildKit's {@code parseJSON}
 * (line_parsers.go), which follows Go's {@code encoding/json}.
 *
 * <p>Stateless and thread-safe. Text that is not a valid JSON array (after leading white space) is not an error:
 * the instruction then uses its shell form. A valid array holding anything but strings is an error.
 */
public final class JsonArrays {

    private JsonArrays() {
    }

    /**
     * The strings of the JSON array {@code text}, or empty when {@code text} is not a valid JSON array.
     *
     * @throws DockerfileException "when using JSON array syntax, arrays must be comprised of strings only"
     */
    public static Optional<List<String>> parse(String text) throws DockerfileException {
        return new InstructionLines("Dockerfile").jsonArray(text);
    }
}
