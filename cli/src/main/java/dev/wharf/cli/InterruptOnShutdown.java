package dev.wharf.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While open, a JVM shutdown (Ctrl-C, SIGTERM) interrupts the thread that opened it and keeps the JVM alive until
 * that thread has closed it, for at most {@value #WAIT_SECONDS} seconds: the interrupted work kills its sandboxed
 * processes and removes their cgroup and mounts, which an exit halfway through would leave behind.
 *
 * <p>Open and close on the same thread, with try-with-resources.
 */
final class InterruptOnShutdown implements AutoCloseable {
    private static final long WAIT_SECONDS = 30;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final ShutdownAction hook;

    InterruptOnShutdown() {
        Thread worker = Thread.currentThread();
        hook = new ShutdownAction(() -> {
            worker.interrupt();
            try {
                finished.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void close() {
        finished.countDown();
        hook.close();
    }
}
