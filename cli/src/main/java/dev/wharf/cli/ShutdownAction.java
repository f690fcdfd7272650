package dev.wharf.cli;

/**
 * While open, runs {@code action} if the JVM shuts down (Ctrl-C, SIGTERM), and the JVM waits for it to return:
 * for clean-up that an exit halfway through would leave undone. Closing it unregisters the action; during a
 * shutdown the action runs regardless.
 *
 * <p>Open and close with try-with-resources.
 */
final class ShutdownAction implements AutoCloseable {
    private final Thread hook;

    ShutdownAction(Runnable action) {
        hook = new Thread(action, "wharf-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The action runs now.
        }
    }
}
