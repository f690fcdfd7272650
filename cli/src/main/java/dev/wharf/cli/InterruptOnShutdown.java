package dev.wharf.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While open, a JVM shutdown (Ctrl-C, SIGTERM) interrupts the thread that opened it and keeps the JVM alive until
 * that thread has closed it, for at most {@value #WAIT_SECONDS} seconds: the interrupted work kills its sandboxed
 * processes and removes their cgroup and mounts, or deletes its staged files, which an exit halfway through would
 * leave behind. A command that reports the cancellation ({@link #cancelled}, {@link #endWith}) ends the JVM with
 * its own status, as docker's client ends with 1, not the signal's 130 or 143.
 *
 * <p>Open and close on the same thread, with try-with-resources. Safe for that thread and the shutdown hook.
 */
final class InterruptOnShutdown implements AutoCloseable {
    private static final long WAIT_SECONDS = 30;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final ShutdownAction hook;
    private volatile boolean cancelled;
    private volatile Integer status;

    InterruptOnShutdown() {
        Thread worker = Thread.currentThread();
        hook = new ShutdownAction(() -> {
            cancelled = true;
            worker.interrupt();
            try {
                if (finished.await(WAIT_SECONDS, TimeUnit.SECONDS) && status != null) {
                    // The JVM would otherwise end with the signal's status; halt, as BuildCommand's hook does,
                    // since System.exit would block behind this running hook.
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(status);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Whether a shutdown interrupted the work: its failure is then the cancellation, not an error of its own. */
    boolean cancelled() {
        return cancelled;
    }

    /**
     * The JVM's exit status once this is closed during a shutdown: call it after the cancellation is reported
     * (its output flushed), before closing.
     */
    void endWith(int exitStatus) {
        status = exitStatus;
    }

    @Override
    public void close() {
        finished.countDown();
        hook.close();
    }
}
