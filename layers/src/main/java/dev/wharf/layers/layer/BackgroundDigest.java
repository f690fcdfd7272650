package dev.wharf.layers.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A message digest fed on a thread of its own: the producer fills chunks it takes from here, hands each back with
 * {@link #submit}, and gets a free chunk again once the digest thread has hashed an earlier one.
 *
 * <p>Why: a layer's writing thread reads the files, builds the tar and feeds the compressor, and also hashed every
 * uncompressed byte for the diff ID (SHA-256, ~0.2 s of CPU for 370 MB). With zstd's two workers on a 2-core
 * machine that made it the busiest of three runnable threads, and with the scheduler's fair share (2/3 of a core
 * each) the compressors waited for it (bench/layers.sh, issue #3). Hashing beside it moves that work to a fourth
 * thread, so no thread holds more than its share.
 *
 * <p>Not thread-safe: one producer thread calls {@link #take}, {@link #submit}, {@link #finish} and {@link #close};
 * chunks are hashed in the order submitted. The digest thread is a daemon and ends with {@link #finish} or
 * {@link #close}.
 */
final class BackgroundDigest implements AutoCloseable {
    /** Hands the end of input to the digest thread. */
    private static final Piece END = new Piece(new byte[0], 0);

    private final MessageDigest digest;
    private final BlockingQueue<Piece> full;
    private final BlockingQueue<byte[]> free;
    private final Thread thread;
    /** What stopped the hashing (an Error: update throws nothing else); chunks still circulate after it. */
    private volatile Throwable failure;
    private boolean ended;

    /** A chunk and how many of its bytes to hash. */
    private record Piece(byte[] bytes, int length) {
    }

    /**
     * Starts the digest thread with {@code chunks} free chunks of {@code chunkSize} bytes. The producer may also
     * submit one chunk of its own, which then circulates like the others.
     *
     * @param digest fed only by the digest thread from now on
     */
    BackgroundDigest(MessageDigest digest, int chunkSize, int chunks) {
        this.digest = digest;
        // Room for every chunk (and the end): neither queue ever refuses one.
        this.free = new ArrayBlockingQueue<>(chunks + 1);
        this.full = new ArrayBlockingQueue<>(chunks + 2);
        for (int i = 0; i < chunks; i++) {
            free.add(new byte[chunkSize]);
        }
        this.thread = new Thread(this::run, "wharf-layer-digest");
        thread.setDaemon(true);
        thread.start();
    }

    /** A free chunk to fill, waiting until the digest thread has hashed one if none is free. */
    byte[] take() throws IOException {
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the layer digest");
        }
    }

    /**
     * Hands {@code length} bytes of {@code chunk} (from {@link #take}) to the digest thread. The producer may read the
     * chunk until it takes another one, never write it.
     */
    void submit(byte[] chunk, int length) throws IOException {
        put(new Piece(chunk, length));
    }

    /** Waits for every submitted chunk to be hashed and returns the digest. */
    byte[] finish() throws IOException {
        put(END);
        ended = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the layer digest");
        }
        if (failure != null) {
            throw new IOException("cannot compute the layer digest: " + failure, failure);
        }
        return digest.digest();
    }

    /** Ends the digest thread when {@link #finish} did not; does not wait for it. */
    @Override
    public void close() {
        if (!ended) {
            ended = true;
            // The queue has room for every chunk and END.
            full.offer(END);
        }
    }

    private void put(Piece piece) throws IOException {
        try {
            full.put(piece);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing bytes to the layer digest");
        }
    }

    private void run() {
        while (true) {
            Piece piece;
            try {
                piece = full.take();
            } catch (InterruptedException e) {
                continue; // Nobody interrupts this thread; it ends on END only.
            }
            if (piece == END) {
                return;
            }
            if (failure == null) {
                try {
                    digest.update(piece.bytes(), 0, piece.length());
                } catch (Throwable e) {
                    // Even an Error: the chunk must still go back, or the producer would wait for one forever.
                    failure = e;
                }
            }
            free.add(piece.bytes());
        }
    }
}
