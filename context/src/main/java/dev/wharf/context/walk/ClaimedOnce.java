package dev.wharf.context.walk;

import dev.wharf.context.ContextException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A piece of work done once, by whichever thread claims it first: a pool thread that took it ahead, or the thread
 * that needs its result, which otherwise waits for it. Used where a walk or a checksum hands work to the common pool
 * but must never depend on the pool to make progress (the pool has one thread fewer than the cores). Thread-safe;
 * what {@link #work} writes is visible to every thread once {@link #await} returns.
 */
public abstract class ClaimedOnce implements Runnable {

    private final AtomicInteger state = new AtomicInteger(); // 0 new, 1 claimed, 2 done

    /** The work; runs at most once. Exceptions are the subclass's to keep for its result. */
    protected abstract void work();

    /** Does the work here unless another thread claimed it. */
    @Override
    public final void run() {
        if (!state.compareAndSet(0, 1)) {
            return;
        }
        try {
            work();
        } finally {
            synchronized (this) {
                state.set(2);
                notifyAll();
            }
        }
    }

    /** Whether the work is finished. */
    public final boolean done() {
        return state.get() == 2;
    }

    /**
     * Does the work here if no thread claimed it, else waits for the thread that did.
     *
     * @param what names the work in the error of an interrupted wait
     * @throws ContextException when interrupted while waiting
     */
    public final void await(String what) throws ContextException {
        run();
        awaitClaimed(what);
    }

    /** Waits until the work is finished (claimed elsewhere). */
    protected final void awaitClaimed(String what) throws ContextException {
        synchronized (this) {
            while (state.get() != 2) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ContextException("interrupted while " + what, e);
                }
            }
        }
    }
}
