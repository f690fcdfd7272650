package dev.wharf.builder.api;

/**
 * Receives the progress of a build as {@link BuildEvent}s: one vocabulary for every printer (plain, quiet, tty,
 * rawjson, a Maven log).
 *
 * <p>Implementations must be thread-safe: log lines of one step arrive on the sandbox's output threads. They must
 * not block for long.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Called once per event. */
    void onEvent(BuildEvent event);

    /** A listener that ignores every event. */
    static ProgressListener none() {
        return event -> { };
    }
}
