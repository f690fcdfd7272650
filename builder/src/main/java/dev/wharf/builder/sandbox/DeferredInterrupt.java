package dev.wharf.builder.sandbox;

/**
 * The calling thread's interrupt, set aside for work that must run to its end even on a cancelled build (killing
 * and removing a step's cgroup, waiting for the stage threads to stop) and set again when closed, together with any
 * interrupt that arrived meanwhile. On an interrupted thread every NIO read and write fails at once
 * ({@code ClosedByInterruptException}) and every wait throws, so such work would stop half-way.
 *
 * <pre>{@code
 * try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
 *     ... deferred.sleep(25); ... catch (InterruptedException e) { deferred.arrived(); }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one per thread and block, in try-with-resources.
 */
public final class DeferredInterrupt implements AutoCloseable {
    private boolean interrupted;

    private DeferredInterrupt(boolean interrupted) {
        this.interrupted = interrupted;
    }

    /** Clears the calling thread's interrupt, remembering whether it was set. */
    public static DeferredInterrupt setAside() {
        return new DeferredInterrupt(Thread.interrupted());
    }

    /** Notes an interrupt that arrived during the work (an {@link InterruptedException} caught), to set it again. */
    public void arrived() {
        interrupted = true;
    }

    /** Sleeps {@code millis}, or less when interrupted: the interrupt is noted, not thrown. */
    public void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            interrupted = true;
        }
    }

    /** Whether the thread was interrupted before or during the work. */
    public boolean interrupted() {
        return interrupted;
    }

    /** Sets the calling thread's interrupt again if it was set before or arrived during the work. */
    @Override
    public void close() {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
