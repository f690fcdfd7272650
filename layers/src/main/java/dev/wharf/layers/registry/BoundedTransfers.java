package dev.wharf.layers.registry;

import dev.wharf.layers.LayerException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs blob transfers with at most a fixed number at once and fails fast: the first failure cancels the transfers
 * not yet finished and is rethrown unchanged.
 *
 * <p>Each {@link #run} uses its own short-lived threads, which are gone when it returns; instances hold no state
 * and are thread-safe.
 */
final class BoundedTransfers {
    private static final long STOP_WAIT_SECONDS = 20;
    private final int parallelism;

    BoundedTransfers(int parallelism) {
        this.parallelism = parallelism;
    }

    /** One transfer; returns true if bytes moved (for counting). */
    @FunctionalInterface
    interface Transfer {
        boolean run() throws LayerException;
    }

    /**
     * Runs all transfers and returns how many moved bytes.
     *
     * @throws LayerException the first failure of any transfer
     */
    int run(List<Transfer> transfers) throws LayerException {
        if (transfers.isEmpty()) {
            return 0;
        }
        if (transfers.size() == 1 || parallelism == 1) {
            int moved = 0;
            for (Transfer t : transfers) {
                moved += t.run() ? 1 : 0;
            }
            return moved;
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(Math.min(parallelism, transfers.size()), r -> {
            Thread thread = new Thread(r, "wharf-transfer-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (Transfer t : transfers) {
                futures.add(executor.submit(t::run));
            }
            int moved = 0;
            for (Future<Boolean> future : futures) {
                try {
                    moved += future.get() ? 1 : 0;
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(true));
                    Throwable cause = e.getCause();
                    if (cause instanceof LayerException l) {
                        throw l;
                    }
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new RegistryException("transfer failed: " + cause, cause);
                }
            }
            return moved;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while transferring blobs", e);
        } finally {
            executor.shutdownNow();
            awaitStopped(executor);
        }
    }

    /**
     * Waits for the cancelled transfers to end, so that each has deleted what it staged in the store's ingest/
     * before the caller goes on: an interrupted pull's command returned, and its shutdown hook halted the JVM,
     * while a worker was still between its interrupt and its cleanup, leaving a {@code .partial} blob
     * (TerminatedCommandReliabilityTest, about one run in three). A worker blocked in a read the interrupt cannot
     * stop ends with that read, which the registry's timeouts bound; a second interrupt stops the wait.
     */
    private static void awaitStopped(ExecutorService executor) {
        boolean interrupted = Thread.interrupted();
        try {
            executor.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
