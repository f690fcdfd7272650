package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;

/**
 * Builds the module's {@link DockerfileException} for this package. Errors are created without a file name
 * ({@link InstructionReader} renames them with {@link DockerfileException#inFile}), and helpers that do not know
 * where their input came from throw without a range; their caller re-attaches one with {@link #at}.
 */
final class Errors {

    private Errors() {
    }

    static DockerfileException error(SourceRange range, String reason) {
        return new DockerfileException(null, range, reason);
    }

    /** The same reason, located at {@code range} unless it already has a location. */
    static DockerfileException at(SourceRange range, DockerfileException e) {
        if (e.range().isPresent()) {
            return e;
        }
        return new DockerfileException(null, range, e.reason(), e);
    }

    /** An error without a location yet (see {@link #at}). */
    static DockerfileException unlocated(String reason) {
        return new DockerfileException(null, null, reason);
    }

    static DockerfileException atLeastOneArgument(SourceRange range, String command) {
        return error(range, command + " requires at least one argument");
    }

    static DockerfileException exactlyOneArgument(SourceRange range, String command) {
        return error(range, command + " requires exactly one argument");
    }

    static DockerfileException noDestination(SourceRange range, String command) {
        return error(range, command + " requires at least two arguments, but only one was provided. "
                + "Destination could not be determined");
    }

    static DockerfileException blankNames(SourceRange range, String command) {
        return error(range, command + " names can not be blank");
    }
}
