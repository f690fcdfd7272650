package dev.wharf.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While open, a JVM shutdown (Ctrl-C, SIGTERM) interrupts the thread that opened it and keeps the JVM alive until
 * that thread has closed it, for at most {@value #WAIT_SECONDS} seconds (or another way of cancelling the work, and
 * another wait, see {@link #InterruptOnShutdown(Runnable, long, int)}): the interrupted work kills its sandboxed
 * processes and removes their cgroup and mounts, or deletes its staged files, which an exit halfway through would
 * leave behind. A command that reports the cancellation ({@link #cancelled}, {@link #endWith}) ends the JVM with
 * its own status, as docker's client ends with 1, not the signal's 130 or 143.
 *
 * <p>Open and close on the same thread, with try-with-resources (or close it in a finally block once the work
 * has reported). Safe for that thread and the shutdown hook.
 */
final class InterruptOnShutdown implements AutoCloseable {
    private static final long WAIT_SECONDS = 30;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final ShutdownAction hook;
    private volatile boolean cancelled;
    private volatile Integer status;

    InterruptOnShutdown() {
        this(Thread.currentThread(), null, WAIT_SECONDS, null);
    }

    /**
     * Cancels the work by running {@code cancel} instead of interrupting the thread that opens this (a build engine
     * cancels its build when closed, and stops its steps' processes before it returns), waits at most
     * {@code waitSeconds} for the close, and then ends the JVM with {@code status} unless {@link #endWith} gives
     * another: for a command that reports however it ends, so that even a signal after the work (while its output
     * is written, say) ends it with the status it reached rather than the signal's.
     */
    InterruptOnShutdown(Runnable cancel, long waitSeconds, int status) {
        this(null, cancel, waitSeconds, status);
    }

    private InterruptOnShutdown(Thread worker, Runnable cancel, long waitSeconds, Integer status) {
        this.status = status;
        hook = new ShutdownAction(() -> {
            cancelled = true;
            if (cancel == null) {
                worker.interrupt();
            } else {
                cancel.run();
            }
            try {
                if (finished.await(waitSeconds, TimeUnit.SECONDS) && this.status != null) {
                    // The JVM would otherwise end with the signal's status; halt, since System.exit would block
                    // behind this running hook.
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(this.status);
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
