package dev.wharf.layers.layer;

import dev.wharf.layers.layout.Threads;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A {@link TreeScanner#walkSorted} run on a thread of its own, a bounded number of entries ahead of the thread that
 * writes them: {@link #next} hands the changes on in the walk's order, in batches.
 *
 * <p>Why: per entry, a layer's writing thread both scanned (listing, {@code lstat}, {@code llistxattr}, sorting) and
 * wrote (tar header, content). In a fresh JVM the per-entry code runs interpreted for the first thousands of entries,
 * and where a tree has thousands of small files in a row that one thread limited everything after it: zstd's workers
 * waited for input for a quarter of a second (perf of bench/layers.sh's zstd case, 367 MB tree, issue #3). Scanning
 * beside the writer puts that part on the other core. The order, and so the layer's bytes, do not depend on it.
 *
 * <p>Not thread-safe: one consumer calls {@link #next} and {@link #close}. The scan thread is a daemon and ends with
 * the walk, or at its next entry after {@link #close}.
 */
final class ScanAhead implements AutoCloseable {
    /**
     * Changes handed on at once, at most: a hand-off per entry would cost about as much as writing a small entry. The
     * first batches are smaller (1, 2, 4, ...), so that the writer starts on the first entry instead of waiting for
     * the scan of a few directories (~5 ms of a fresh JVM's start, class-load timeline of bench/layers.sh).
     */
    private static final int BATCH = 32;
    /** Batches the scan may run ahead: enough to ride over a slow directory, few enough to keep memory small. */
    private static final int BATCHES = 16;
    /** Ends the walk's output. */
    private static final List<LayerChange> END = List.of();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BATCHES + 2);
    private final Thread thread;
    private volatile boolean cancelled;
    private boolean ended;
    /** The batch the walk is filling and the size at which it is handed on; the scan thread's only. */
    private List<LayerChange> batch = new ArrayList<>(BATCH);
    private int batchSize = 1;

    /** Thrown inside the walk to stop it after {@link #close}. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super(null, null, false, false);
        }
    }

    private ScanAhead(TreeScanner scanner, Path root, boolean overlay) {
        thread = new Thread(() -> run(scanner, root, overlay), "wharf-layer-scan");
        thread.setDaemon(true);
    }

    /** Starts walking {@code root} (an overlayfs upper directory when {@code overlay}). */
    static ScanAhead start(TreeScanner scanner, Path root, boolean overlay) {
        ScanAhead scan = new ScanAhead(scanner, root, overlay);
        scan.thread.start();
        return scan;
    }

    /**
     * The next changes in the walk's order (never empty), or null after the last; the walk's failure is thrown here
     * as it was thrown there.
     */
    @SuppressWarnings("unchecked")
    List<LayerChange> next() throws IOException {
        if (ended) {
            return null;
        }
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the layer's tree scan");
        }
        if (item == END) {
            ended = true;
            return null;
        }
        if (item instanceof Throwable failure) {
            ended = true;
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) failure;
        }
        return (List<LayerChange>) item;
    }

    /** Stops the walk if it is still going and waits for its thread to end. */
    @Override
    public void close() {
        cancelled = true;
        // Room for a put the thread may be waiting in; it then stops at its next entry.
        queue.clear();
        Threads.joinUninterruptibly(thread);
    }

    /** Whether the scan thread is still alive (for tests). */
    boolean running() {
        return thread.isAlive();
    }

    private void run(TreeScanner scanner, Path root, boolean overlay) {
        Object last;
        try {
            scanner.walkSorted(root, overlay, this::add);
            if (!batch.isEmpty()) {
                put(batch);
            }
            last = END;
        } catch (Cancelled e) {
            return;
        } catch (Throwable e) {
            // Every failure, even an Error, reaches the writer, which would otherwise wait for the end forever.
            last = e;
        }
        if (!cancelled) {
            try {
                put(last);
            } catch (Cancelled e) {
                // The writer is gone.
            }
        }
    }

    private void add(LayerChange change) {
        if (cancelled) {
            throw new Cancelled();
        }
        batch.add(change);
        if (batch.size() == batchSize) {
            put(batch);
            batch = new ArrayList<>(BATCH);
            batchSize = Math.min(BATCH, batchSize * 2);
        }
    }

    private void put(Object item) {
        while (true) {
            try {
                queue.put(item);
                return;
            } catch (InterruptedException e) {
                // Nobody but close has a reason to stop this thread, and close says so with the flag.
                if (cancelled) {
                    throw new Cancelled();
                }
            }
        }
    }
}
