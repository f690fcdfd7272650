package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.go.GoCsv;
import java.util.List;

/**
 * Splits one CSV record the way tonistiigi/go-csvvalue does for {@code RUN --mount} and {@code --device}
 * values: comma-separated fields, a field that starts with {@code "} is quoted ({@code ""} is a quote), a quote
 * anywhere else is an error. Error texts are those of Go's {@code encoding/csv.ParseError}. The parsing is
 * {@link GoCsv}'s, which buildx's flags share; this adds the Dockerfile error type and csvvalue's {@code EOF}.
 *
 * <p>Stateless and thread-safe.
 */
final class Csv {

    private Csv() {
    }

    /** The fields of {@code line}; an unlocated error on malformed input ({@code EOF} for an empty value). */
    static List<String> fields(String line) throws DockerfileException {
        if (line.isEmpty() || line.equals("\n") || line.equals("\r\n")) {
            throw Errors.unlocated("EOF");
        }
        try {
            return GoCsv.fields(line);
        } catch (IllegalArgumentException e) {
            throw Errors.unlocated(e.getMessage());
        }
    }
}
