package dev.wharf.layers.layout;

/**
 * Waiting for a helper thread that must end before its owner goes on (its files closed, its flush done), even when
 * the waiting thread is interrupted: the interrupt is kept for the caller. Stateless; thread-safe.
 */
public final class Threads {
    private Threads() {
    }

    /** Waits until {@code thread} has ended, through interrupts, and re-asserts an interrupt received meanwhile. */
    public static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
