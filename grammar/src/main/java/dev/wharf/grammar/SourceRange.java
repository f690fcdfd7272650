package dev.wharf.grammar;

/**
 * A span of a Dockerfile from {@code start} to {@code end}; the end column is exclusive, the end line inclusive.
 *
 * <p>Immutable and thread-safe. Every instruction, argument and syntax error carries one, so that messages
 * read {@code Dockerfile:12:5: ...}.
 */
public record SourceRange(Position start, Position end) {

    public SourceRange {
        if (start == null || end == null) {
            throw new IllegalArgumentException("a range needs a start and an end");
        }
        if (end.compareTo(start) < 0) {
            throw new IllegalArgumentException("range ends before it starts: " + start + "-" + end);
        }
    }

    /** The range of whole lines {@code first..last} (1-based, inclusive), without columns. */
    public static SourceRange ofLines(int first, int last) {
        return new SourceRange(Position.ofLine(first), Position.ofLine(last));
    }

    /** The range of one point. */
    public static SourceRange at(Position position) {
        return new SourceRange(position, position);
    }

    @Override
    public String toString() {
        return start + "-" + end;
    }
}
