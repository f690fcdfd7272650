package dev.wharf.builder.sandbox;

/**
 * Receives the output of a sandboxed process line by line, without the line terminator. A last line without a
 * newline is delivered when the stream ends. Lines are decoded as UTF-8 (malformed bytes become U+FFFD).
 *
 * <p>Implementations must be thread-safe: stdout and stderr are read on two threads and may call concurrently.
 */
@FunctionalInterface
public interface OutputListener {
    /** Called once per line. Must not block for long, since the process stalls while its pipe is full. */
    void onLine(StdStream stream, String line);

    /** A listener that drops everything. */
    static OutputListener discard() {
        return (stream, line) -> { };
    }
}
