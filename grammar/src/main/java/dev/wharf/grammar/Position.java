package dev.wharf.grammar;

/**
 * A point in a Dockerfile: a 1-based line and a 1-based column (in characters of that physical line).
 *
 * <p>Immutable and thread-safe. A column of 0 means "the whole line": BuildKit reports some errors with a
 * line only, and wharf keeps that distinction instead of inventing a column.
 */
public record Position(int line, int column) implements Comparable<Position> {

    public Position {
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("negative position " + line + ":" + column);
        }
    }

    /** A position that names a line but no column. */
    public static Position ofLine(int line) {
        return new Position(line, 0);
    }

    @Override
    public int compareTo(Position other) {
        int byLine = Integer.compare(line, other.line);
        return byLine != 0 ? byLine : Integer.compare(column, other.column);
    }

    @Override
    public String toString() {
        return column > 0 ? line + ":" + column : Integer.toString(line);
    }
}
