package dev.wharf.builder.exec;

import dev.wharf.builder.sandbox.DeferredInterrupt;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The file copies of one COPY or ADD, run on a pool while the calling thread resolves the next entries and makes
 * their directories, or in place on the calling thread. Creating and filling a file is kernel work (inode
 * allocation, page cache) that two cores do twice as fast, and a COPY of 10,000 small files spent most of its time
 * there (bench scenario c-one-file-changed).
 *
 * <p>The caller must only submit copies whose targets no other entry of the copy touches until {@link #drain()}
 * returns (distinct files under directories that already exist), and call {@link #inPlace()} once it cannot tell.
 * Not thread-safe: one instance per copy, used by one thread.
 */
final class ParallelCopies implements AutoCloseable {
    /** One copy; may throw. */
    @FunctionalInterface
    interface Task {
        void run() throws Exception;
    }

    /** Batches in flight at most: bounds the memory of a million-file COPY. */
    private static final int MAX_PENDING = 16;
    /**
     * Copies handed to the pool at once: a hand-off per file (a queue insert, a futex wake of an idle worker) cost
     * as much CPU as a small file's copy saves in wall time.
     */
    private static final int BATCH = 32;

    private ExecutorService pool;
    private final ArrayDeque<Future<?>> pending = new ArrayDeque<>();
    private java.util.List<Task> batch = new java.util.ArrayList<>(BATCH);
    /** Set by {@link #close()}: copies not started yet are skipped. */
    private volatile boolean closed;

    /** @param pool where copies run, or null to run each in place as it is submitted */
    ParallelCopies(ExecutorService pool) {
        this.pool = pool;
    }

    /** Runs {@code task}, now or on the pool; a failure surfaces here or from a later call. */
    void submit(Task task) throws Exception {
        if (pool == null) {
            task.run();
            return;
        }
        batch.add(task);
        if (batch.size() >= BATCH) {
            flush();
        }
    }

    /** Hands the batch to the pool. */
    private void flush() throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        if (pending.size() >= MAX_PENDING) {
            await(pending.poll());
        }
        java.util.List<Task> tasks = batch;
        batch = new java.util.ArrayList<>(BATCH);
        pending.add(pool.submit(() -> {
            for (Task task : tasks) {
                if (closed) {
                    break;
                }
                task.run();
            }
            return null;
        }));
    }

    /** Waits for the copies submitted so far and runs every later one in place. */
    void inPlace() throws Exception {
        drain();
        pool = null;
    }

    /** Waits for every submitted copy; rethrows the first failure. */
    void drain() throws Exception {
        flush();
        while (!pending.isEmpty()) {
            await(pending.poll());
        }
    }

    private static void await(Future<?> copy) throws Exception {
        try {
            copy.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception failure) {
                throw failure;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Skips the copies not started and waits for the running ones (also when interrupted, which is kept), so that
     * no copy writes into the snapshot after a failed step removed it.
     */
    @Override
    public void close() {
        closed = true;
        batch.clear();
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            while (!pending.isEmpty()) {
                Future<?> copy = pending.peek();
                try {
                    copy.get();
                    pending.poll();
                } catch (InterruptedException e) {
                    deferred.arrived();
                } catch (ExecutionException e) {
                    pending.poll();
                }
            }
        }
    }
}
