package dev.wharf.grammar;

import java.util.List;
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
    private final transient List<SourceRange> ranges;
    private final String reason;

    public DockerfileException(String file, SourceRange range, String reason) {
        this(file, range, reason, null);
    }

    public DockerfileException(String file, SourceRange range, String reason, Throwable cause) {
        this(file, range == null ? List.of() : List.of(range), reason, cause);
    }

    /**
     * An error at several places at once, the first the main one: BuildKit wraps an error in one location per
     * instruction involved ({@code parser.WithLocation}, as its stage cycle check does for each command of the
     * cycle), and its client prints the lines of each.
     */
    public static DockerfileException atEach(String file, List<SourceRange> ranges, String reason) {
        return new DockerfileException(file, ranges, reason, null);
    }

    // Private: callers passing a null range would find it ambiguous with the public one.
    private DockerfileException(String file, List<SourceRange> ranges, String reason, Throwable cause) {
        super(locate(file, ranges.isEmpty() ? null : ranges.get(0), reason), cause);
        this.file = Objects.requireNonNullElse(file, "Dockerfile");
        this.ranges = List.copyOf(ranges);
        this.range = this.ranges.isEmpty() ? null : this.ranges.get(0);
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

    /** Every place of the error, the main one ({@link #range()}) first; empty when none is known. */
    public List<SourceRange> ranges() {
        return ranges == null ? List.of() : ranges;
    }

    /** The message without file and position. */
    public String reason() {
        return reason;
    }

    /** The same error, reported against another file name (the parser does not know the name of its input). */
    public DockerfileException inFile(String otherFile) {
        DockerfileException renamed = new DockerfileException(otherFile, ranges(), reason, getCause());
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
