package dev.wharf.builder.api;

/**
 * Receives the output of a process run by {@link BuildEngine#run}, line by line. Must be thread-safe: stdout and
 * stderr are read on two threads.
 */
@FunctionalInterface
public interface OutputSink {
    /**
     * One line without its terminator.
     *
     * @param stream 1 for stdout, 2 for stderr
     */
    void line(int stream, String line);
}
