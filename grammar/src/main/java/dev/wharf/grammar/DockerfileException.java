package dev.wharf.grammar;

import java.util.Objects;
import java.util.Optional;

/**
 * A Dockerfile that cannot be parsed or turned into instructions: carries the file name, the source range
 * and a message for the user ({@code Dockerfile:3:1: unknown instruction: FOO}).
 *
 * <p>{@link #getMessage()} is the located message; {@link #reason()} the bare reason, the text that
 * BuildKit's innermost error carries (conformance data compares against it).
 */
public class DockerfileException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final transient SourceRange range;
    private final String reason;

    public DockerfileException(String file, SourceRange range, String reason) {
        this(file, range, reason, null);
    }

    public DockerfileException(String file, SourceRange range, String reason, Throwable cause) {
        super(locate(file, range, reason), cause);
        this.file = Objects.requireNonNullElse(file, "Dockerfile");
        this.range = range;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The name of the Dockerfile as the user gave it. */
    public String file() {
        return file;
    }

    /** Where the problem is, if known. */
    public Optional<SourceRange> range() {
        return Optional.ofNullable(range);
    }

    /** The message without file and position. */
    public String reason() {
        return reason;
    }

    /** The same error, reported against another file name (the parser does not know the name of its input). */
    public DockerfileException inFile(String otherFile) {
        DockerfileException renamed = new DockerfileException(otherFile, range, reason, getCause());
        renamed.setStackTrace(getStackTrace());
        return renamed;
    }

    private static String locate(String file, SourceRange range, String reason) {
        String name = Objects.requireNonNullElse(file, "Dockerfile");
        if (range == null) {
            return name + ": " + reason;
        }
        Position start = range.start();
        return name + ":" + start.line() + ":" + Math.max(start.column(), 1) + ": " + reason;
    }
}
