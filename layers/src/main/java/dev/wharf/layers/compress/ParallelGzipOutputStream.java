package dev.wharf.layers.compress;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream that compresses fixed-size blocks on several threads. With libdeflate (when the host has it, see
 * {@link LibDeflate}) every block of {@value #MEMBER_SIZE} bytes becomes a gzip member of its own, compressed
 * independently, and the members are concatenated (RFC 1952 section 2.2: a gzip file is a series of members; Go's
 * {@code compress/gzip} reader used by containerd, Docker, skopeo and umoci, {@code gzip -d}, pigz and
 * {@link java.util.zip.GZIPInputStream} read them all, and eStargz layers are made this way). Otherwise it runs the
 * way {@code pigz} does with zlib ({@link java.util.zip.Deflater}), producing one ordinary gzip member.
 *
 * <p>The deflate implementation is chosen when the stream is created: libdeflate if it can be loaded, unless the
 * system property {@value LibDeflate#PROPERTY} is {@code zlib}. The bytes of a layer depend on the input, the level
 * and that implementation (and its version), never on the thread count or timing.
 *
 * <p>With zlib, each block is deflated on its own, primed with the last 32 KiB of the previous block as a preset dictionary
 * (so compression barely suffers), and ended with a sync flush so the raw deflate streams concatenate; the last
 * block ends the stream. The output depends only on the input and the level, not on the thread count or timing.
 * The header is Go's {@code compress/gzip} header: no name, mtime 0, XFL 2 or 4 for level 9 or 1, OS 255
 * ("unknown"), so it does not vary by machine. Not thread-safe as a stream (one writer thread); compression runs on
 * the given executor.
 *
 * <p>Like pigz, each worker reuses a deflater ({@code deflateReset} instead of a fresh {@code deflateInit} per
 * block, which allocates and faults in some 300 KiB of zlib state 2,400 times for a 300 MB layer) and deflates
 * straight into one output array of the block's worst-case size. A reset deflater with the same dictionary produces
 * the same bytes as a fresh one, so reuse does not change the output.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    /** The block size with zlib; pigz's default. */
    static final int BLOCK_SIZE = 128 * 1024;
    /**
     * The block (member) size with libdeflate. Each member starts without a dictionary; at 1 MiB that costs about
     * 0.2% of the output of a 309 MB /usr/lib layer tar against one libdeflate stream (still 0.6% smaller than
     * one zlib stream), while smaller members cost more (256 KiB: 0.8%) and larger ones gain little (2 MiB: 0.1%)
     * for more memory per block in flight (bench/results/gzip-members-2026-11-28.md).
     */
    static final int MEMBER_SIZE = 1024 * 1024;
    private static final int DICTIONARY_SIZE = 32 * 1024;

    private final OutputStream out;
    private final int level;
    private final Executor executor;
    private final int maxInFlight;
    private final Deque<CompletableFuture<Compressed>> inFlight = new ArrayDeque<>();
    /** Deflaters not in use, shared by the workers; ended on close. */
    private final ConcurrentLinkedQueue<Deflater> idle = new ConcurrentLinkedQueue<>();
    /** With libdeflate: the binding (else null), its compressors not in use; freed on close. */
    private final LibDeflate.Calls libdeflate;
    private final ConcurrentLinkedQueue<LibDeflate.Compressor> idleCompressors = new ConcurrentLinkedQueue<>();
    private final int blockSize;
    private final byte[] header;
    private final CRC32 crc = new CRC32();
    private byte[] block;
    private int blockLength;
    private byte[] dictionary = new byte[0];
    private long totalIn;
    private boolean closed;

    /**
     * Starts a gzip stream over {@code out} and writes the header.
     *
     * @param level deflate level 0..9
     * @param threads how many blocks may be compressed at once; 1 compresses on the calling thread
     * @param executor runs block compression when {@code threads > 1}; the caller owns and shuts it down
     */
    public ParallelGzipOutputStream(OutputStream out, int level, int threads, Executor executor) throws IOException {
        this(out, level, threads, executor, LibDeflate.preferred().orElse(null));
    }

    /** As the public constructor, with libdeflate when {@code libdeflate} is not null, else with zlib. */
    ParallelGzipOutputStream(OutputStream out, int level, int threads, Executor executor, LibDeflate.Calls libdeflate)
            throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("gzip level must be 0..9: " + level);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        if (threads > 1) {
            Objects.requireNonNull(executor, "executor");
        }
        this.level = level;
        this.executor = executor;
        // Two blocks per thread in flight keeps every thread busy while the writer thread writes results out.
        this.maxInFlight = threads == 1 ? 0 : threads * 2;
        this.libdeflate = libdeflate;
        this.blockSize = libdeflate != null ? MEMBER_SIZE : BLOCK_SIZE;
        this.block = new byte[blockSize];
        int xfl = level == Deflater.BEST_COMPRESSION ? 2 : level == Deflater.BEST_SPEED ? 4 : 0;
        this.header = new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, (byte) xfl, (byte) 0xff};
        if (libdeflate == null) {
            out.write(header);
        }
    }

    /** Whether this stream compresses with libdeflate (gzip members per block) rather than zlib. */
    public boolean usesLibdeflate() {
        return libdeflate != null;
    }

    /** The deflate implementation new streams use on this JVM: {@code "libdeflate"} or {@code "zlib"}. */
    public static String implementation() {
        return LibDeflate.preferred().isPresent() ? "libdeflate" : "zlib";
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (closed) {
            throw new IOException("gzip stream is closed");
        }
        if (libdeflate == null) {
            crc.update(bytes, offset, length);
        }
        totalIn += length;
        while (length > 0) {
            int n = Math.min(length, blockSize - blockLength);
            System.arraycopy(bytes, offset, block, blockLength, n);
            blockLength += n;
            offset += n;
            length -= n;
            if (blockLength == blockSize) {
                submit(false);
            }
        }
    }

    /** Flushes completed blocks only; a partial block stays buffered so block boundaries never depend on flushes. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Compresses the last block, waits for all blocks, writes the trailer and closes the underlying stream. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            // With members, an empty stream is still one (empty) member; otherwise a last partial block, if any.
            if (libdeflate == null || blockLength > 0 || totalIn == 0) {
                submit(true);
            }
            while (!inFlight.isEmpty()) {
                await(inFlight.removeFirst()).writeTo(out);
            }
            closed = true;
            if (libdeflate != null) {
                return;
            }
            long crcValue = crc.getValue();
            out.write(new byte[] {
                (byte) crcValue, (byte) (crcValue >>> 8), (byte) (crcValue >>> 16), (byte) (crcValue >>> 24),
                (byte) totalIn, (byte) (totalIn >>> 8), (byte) (totalIn >>> 16), (byte) (totalIn >>> 24)});
            closed = true;
        } finally {
            closed = true;
            // A failed close leaves blocks in flight: they return their compressor to the pool when done, and a
            // libdeflate compressor is native memory that only the pool's draining below frees.
            for (CompletableFuture<Compressed> pending : inFlight) {
                try {
                    pending.join();
                } catch (RuntimeException alsoFailed) {
                    // Its compressor went back to the pool all the same (memberPooled's finally).
                }
            }
            inFlight.clear();
            Deflater d;
            while ((d = idle.poll()) != null) {
                d.end();
            }
            LibDeflate.Compressor c;
            while ((c = idleCompressors.poll()) != null) {
                c.close();
            }
            out.close();
        }
    }

    private void submit(boolean last) throws IOException {
        byte[] input = block;
        int inputLength = blockLength;
        block = new byte[blockSize];
        blockLength = 0;
        if (libdeflate != null) {
            if (maxInFlight == 0) {
                memberPooled(input, inputLength).writeTo(out);
                return;
            }
            while (inFlight.size() >= maxInFlight) {
                await(inFlight.removeFirst()).writeTo(out);
            }
            inFlight.addLast(CompletableFuture.supplyAsync(() -> memberPooled(input, inputLength), executor));
            return;
        }
        byte[] dict = dictionary;
        // The next block's dictionary is the tail of this one (of the input, not the output).
        int dictLength = Math.min(DICTIONARY_SIZE, inputLength);
        dictionary = inputLength == 0 ? dictionary : Arrays.copyOfRange(input, inputLength - dictLength, inputLength);
        if (maxInFlight == 0) {
            deflatePooled(input, inputLength, dict, last).writeTo(out);
            return;
        }
        while (inFlight.size() >= maxInFlight) {
            await(inFlight.removeFirst()).writeTo(out);
        }
        inFlight.addLast(CompletableFuture.supplyAsync(() -> deflatePooled(input, inputLength, dict, last),
                executor));
    }

    /** Deflates one block with an idle deflater (or a new one), which goes back to the pool afterwards. */
    private Compressed deflatePooled(byte[] input, int length, byte[] dictionary, boolean last) {
        Deflater deflater = idle.poll();
        if (deflater == null) {
            deflater = new Deflater(level, true);
        } else {
            deflater.reset();
        }
        try {
            return deflate(deflater, input, length, dictionary, last);
        } finally {
            idle.add(deflater);
        }
    }

    /**
     * Compresses one block into a whole gzip member (header, raw deflate, CRC-32 and length) with an idle libdeflate
     * compressor (or a new one), which goes back to the pool afterwards.
     */
    private Compressed memberPooled(byte[] input, int length) {
        LibDeflate.Compressor compressor = idleCompressors.poll();
        if (compressor == null) {
            compressor = new LibDeflate.Compressor(libdeflate, level, blockSize);
        }
        try {
            byte[] output = new byte[header.length + compressor.bound(length) + 8];
            System.arraycopy(header, 0, output, 0, header.length);
            int size = header.length + compressor.compress(input, length, output, header.length);
            CRC32 memberCrc = new CRC32();
            memberCrc.update(input, 0, length);
            long c = memberCrc.getValue();
            output[size++] = (byte) c;
            output[size++] = (byte) (c >>> 8);
            output[size++] = (byte) (c >>> 16);
            output[size++] = (byte) (c >>> 24);
            output[size++] = (byte) length;
            output[size++] = (byte) (length >>> 8);
            output[size++] = (byte) (length >>> 16);
            output[size++] = (byte) (length >>> 24);
            return new Compressed(output, size);
        } finally {
            idleCompressors.add(compressor);
        }
    }

    /** A block's compressed bytes: the first {@code length} bytes of {@code bytes}. */
    private record Compressed(byte[] bytes, int length) {
        void writeTo(OutputStream target) throws IOException {
            target.write(bytes, 0, length);
        }
    }

    private static Compressed await(CompletableFuture<Compressed> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException | CompletionException e) {
            throw new IOException("gzip block compression failed: " + e.getCause(), e.getCause());
        }
    }

    /** Deflates one block as raw deflate data ending in a sync flush, or in the final block when {@code last}. */
    private static Compressed deflate(Deflater deflater, byte[] input, int length, byte[] dictionary,
            boolean last) {
        if (dictionary.length > 0) {
            deflater.setDictionary(dictionary);
        }
        deflater.setInput(input, 0, length);
        // zlib's deflateBound for stored blocks plus room for the flush marker and the final block: one call
        // normally fills it; the loops below grow it if ever not.
        byte[] output = new byte[length + (length >> 10) + 1024];
        int size = 0;
        if (last) {
            deflater.finish();
            while (!deflater.finished()) {
                if (size == output.length) {
                    output = Arrays.copyOf(output, output.length * 2);
                }
                size += deflater.deflate(output, size, output.length - size);
            }
        } else {
            // With SYNC_FLUSH, a full output buffer means there may be more: call again until it is not full.
            int n;
            do {
                if (size == output.length) {
                    output = Arrays.copyOf(output, output.length * 2);
                }
                n = deflater.deflate(output, size, output.length - size, Deflater.SYNC_FLUSH);
                size += n;
            } while (size == output.length || !deflater.needsInput());
        }
        return new Compressed(output, size);
    }
}
