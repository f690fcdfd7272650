package dev.wharf.builder.sandbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Splits a sandboxed process's stdout and stderr into lines, each stamped with the time of the read that began it.
 * With {@code joined} (a RUN step's log) both streams share ONE line buffer, as BuildKit's progress display does:
 * it keeps a partial line per vertex, not per stream (progressui display.go, trace.update), so
 * {@code printf a; echo b >&2} shows the single line {@code ab}; a line is then reported on the stream of its first
 * byte. Without it (a container's output, as {@code docker run} keeps its streams apart) each stream has its own.
 * Either way stderr alone is also split into lines for the tail that the runtime's diagnostics are read from, so
 * that a stdout fragment never hides an error message.
 *
 * <p>Thread-safe: the two pumps call {@link #chunk} concurrently; a chunk is split and delivered under the lock,
 * so lines leave in the order their ends arrived.
 */
final class OutputLines {
    /** Where finished lines go. */
    interface Sink {
        void line(StdStream stream, String text, long startNanos, boolean terminated);
    }

    private final Sink sink;
    private final int tailLines;
    private final boolean joined;
    /** The partial line of each buffer: one for both streams when joined, else one per stream. */
    private final Partial[] partials;
    private final ByteArrayOutputStream stderrLine = new ByteArrayOutputStream();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private int openStreams = 2;

    OutputLines(Sink sink, int tailLines, boolean joined) {
        this.sink = sink;
        this.tailLines = tailLines;
        this.joined = joined;
        this.partials = joined ? new Partial[] {new Partial()} : new Partial[] {new Partial(), new Partial()};
    }

    /** A line begun and not yet ended. */
    private static final class Partial {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdStream stream;
        long start;
    }

    /** {@code n} bytes read from {@code stream} at {@code nowNanos}. */
    synchronized void chunk(StdStream stream, byte[] buffer, int n, long nowNanos) {
        if (stream == StdStream.STDERR) {
            tail(buffer, n);
        }
        Partial partial = partials[joined ? 0 : stream.ordinal()];
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buffer[i] == '\n') {
                begin(partial, stream, nowNanos);
                partial.bytes.write(buffer, start, i - start);
                deliver(partial, true);
                start = i + 1;
            }
        }
        if (start < n) {
            begin(partial, stream, nowNanos);
            partial.bytes.write(buffer, start, n - start);
        }
    }

    /**
     * {@code stream} reached its end: its partial line is delivered, unterminated. A shared one only once both
     * streams have ended, since until then the other stream may still end it, as it would in BuildKit.
     */
    synchronized void streamEnded(StdStream stream) {
        openStreams--;
        Partial partial = partials[joined ? 0 : stream.ordinal()];
        if (partial.stream != null && (!joined || openStreams == 0)) {
            deliver(partial, false);
        }
        if (openStreams == 0) {
            if (stderrLine.size() > 0) {
                addTail(stderrLine.toString(StandardCharsets.UTF_8));
                stderrLine.reset();
            }
        }
    }

    /** The last stderr lines (stderr on its own), oldest first. */
    synchronized Deque<String> stderrTail() {
        return new ArrayDeque<>(stderrTail);
    }

    private static void begin(Partial partial, StdStream stream, long nowNanos) {
        if (partial.stream == null) {
            partial.stream = stream;
            partial.start = nowNanos;
        }
    }

    private void deliver(Partial partial, boolean terminated) {
        String text = partial.bytes.toString(StandardCharsets.UTF_8);
        StdStream stream = partial.stream;
        partial.bytes.reset();
        partial.stream = null;
        sink.line(stream, text, partial.start, terminated);
    }

    private void tail(byte[] buffer, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buffer[i] == '\n') {
                stderrLine.write(buffer, start, i - start);
                addTail(stderrLine.toString(StandardCharsets.UTF_8));
                stderrLine.reset();
                start = i + 1;
            }
        }
        stderrLine.write(buffer, start, n - start);
    }

    private void addTail(String line) {
        stderrTail.addLast(line);
        if (stderrTail.size() > tailLines) {
            stderrTail.removeFirst();
        }
    }
}
