package dev.wharf.builder.sandbox;

/**
 * Receives the output of a sandboxed process line by line, without the line terminator. A last line without a
 * newline is delivered when its stream ends. A listener that {@link #joinsStreams() joins the streams} gets lines
 * split as BuildKit's progress display splits a step's log: a line begun on one stream is ended by the next newline
 * on either ({@link OutputLines}). Lines are decoded as UTF-8 (malformed bytes become U+FFFD).
 *
 * <p>Implementations must be thread-safe: stdout and stderr are read on two threads and may call concurrently.
 */
@FunctionalInterface
public interface OutputListener {
    /** Called once per line. Must not block for long, since the process stalls while its pipe is full. */
    void onLine(StdStream stream, String line);

    /**
     * Called once per line instead of {@link #onLine(StdStream, String)} by readers that know when the line's first
     * byte arrived ({@code startNanos}, {@link System#nanoTime}): BuildKit stamps a line with the time of the write
     * that began it, so {@code printf a; sleep 1; echo b} shows {@code ab} at the time of {@code a}.
     */
    default void onLine(StdStream stream, String line, long startNanos) {
        onLine(stream, line);
    }

    /**
     * Called once per line instead of the others by readers that also know whether the line ended with a newline
     * ({@code terminated}; false only for the output's last line): BuildKit's raw log data has no newline there.
     */
    default void onLine(StdStream stream, String line, long startNanos, boolean terminated) {
        onLine(stream, line, startNanos);
    }

    /**
     * Whether stdout and stderr share one line buffer, as in BuildKit's display of a RUN step's log (one partial
     * line per vertex); false keeps them apart, as {@code docker run} does.
     */
    default boolean joinsStreams() {
        return false;
    }

    /** A listener that drops everything. */
    static OutputListener discard() {
        return (stream, line) -> { };
    }
}
