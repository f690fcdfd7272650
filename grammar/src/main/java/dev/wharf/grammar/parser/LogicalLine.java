package dev.wharf.grammar.parser;

import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import java.util.Arrays;

/**
 * One logical instruction line (continuation lines joined, as BuildKit's {@code Node.Original}) with a map
 * from every char back to its physical line and column.
 *
 * <p>Built once by {@link LogicalLine.Builder}; immutable afterwards. The text is made of pieces of
 * physical lines; each piece is contiguous in its line, so the map stores one entry per piece.
 */
final class LogicalLine {

    private final String text;
    private final int[] pieceStart;
    private final int[] pieceLine;
    private final int[] pieceColumn;
    private final int pieces;
    private final int lastLine;

    private LogicalLine(String text, int[] pieceStart, int[] pieceLine, int[] pieceColumn, int pieces, int lastLine) {
        this.text = text;
        this.pieceStart = pieceStart;
        this.pieceLine = pieceLine;
        this.pieceColumn = pieceColumn;
        this.pieces = pieces;
        this.lastLine = lastLine;
    }

    String text() {
        return text;
    }

    /** The physical position of char {@code index}; {@code index == length} is just after the last char. */
    Position position(int index) {
        if (pieces == 0) {
            return Position.ofLine(Math.max(lastLine, 1));
        }
        if (index >= text.length() && index > 0) {
            Position last = position(text.length() - 1);
            return new Position(last.line(), last.column() + 1);
        }
        int p = Arrays.binarySearch(pieceStart, 0, pieces, index);
        if (p < 0) {
            p = -p - 2;
        }
        // empty pieces share a start; the last of them owns the index
        while (p + 1 < pieces && pieceStart[p + 1] == index) {
            p++;
        }
        return new Position(pieceLine[p], pieceColumn[p] + index - pieceStart[p]);
    }

    /** The range of chars {@code [from, to)}; the end is exclusive and on the line of the last char. */
    SourceRange range(int from, int to) {
        Position start = position(from);
        if (to <= from) {
            return SourceRange.at(start);
        }
        Position last = position(to - 1);
        Position end = new Position(last.line(), last.column() + 1);
        return end.compareTo(start) < 0 ? SourceRange.at(start) : new SourceRange(start, end);
    }

    /** Accumulates pieces of physical lines. Not thread-safe. */
    static final class Builder {
        private final StringBuilder text = new StringBuilder();
        private int[] start = new int[4];
        private int[] line = new int[4];
        private int[] column = new int[4];
        private int pieces;
        private int lastLine;

        /** Appends {@code source[from,to)}, which sits on physical {@code lineNo} starting at 1-based {@code column}. */
        Builder append(CharSequence source, int from, int to, int lineNo, int firstColumn) {
            lastLine = lineNo;
            if (to <= from) {
                return this;
            }
            if (pieces == start.length) {
                start = Arrays.copyOf(start, pieces * 2);
                line = Arrays.copyOf(line, pieces * 2);
                column = Arrays.copyOf(column, pieces * 2);
            }
            start[pieces] = text.length();
            line[pieces] = lineNo;
            column[pieces] = firstColumn;
            pieces++;
            text.append(source, from, to);
            return this;
        }

        String text() {
            return text.toString();
        }

        LogicalLine build() {
            return new LogicalLine(text.toString(), start, line, column, pieces, lastLine);
        }
    }
}
