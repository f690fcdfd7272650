package dev.wharf.grammar.parser;

import dev.wharf.grammar.DockerfileException;
import java.util.List;

/**
 * Splits ENV and LABEL arguments into key, value, separator triples: BuildKit's {@code parseNameVal}
 * (line_parsers.go). {@code KEY rest of line} (old form, separator "") or {@code k=v k2="v 2"} words
 * (separator "="); quotes and escapes stay in the values.
 *
 * <p>Stateless and thread-safe.
 */
public final class NameValues {

    private NameValues() {
    }

    /**
     * The flat triples {@code key, value, sep, key, value, sep...} of {@code rest}.
     *
     * @param instruction {@code ENV} or {@code LABEL}, used in the messages
     * @throws DockerfileException "ENV must have two arguments", or "Syntax error - can't find = in ..."
     */
    public static List<String> parse(String rest, String instruction, char escape) throws DockerfileException {
        return new InstructionLines("Dockerfile").nameValues(rest, instruction, escape);
    }
}
