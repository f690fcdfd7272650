package dev.wharf.layers.blob;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.OciLayout;
import dev.wharf.layers.layout.Threads;
import dev.wharf.layers.posix.PathPresence;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@link BlobWriter} of {@link FileBlobStore}: streams into a private file in {@code ingest/}, hashing and
 * counting, and publishes it under {@code blobs/<alg>/<hex>} on commit.
 *
 * <p>Every {@value #SYNC_AHEAD} bytes, the staged file's data is flushed to disk ({@code fdatasync}) on a short-lived
 * thread of its own while writing goes on, so the commit's own {@code fsync} finds little left to write: for a 100 MB
 * layer it waited 55-65 ms for the disk at the end of the write, all of it on the critical path of a layer or a pull
 * (bench/layers.sh, issue #3). The commit still forces everything itself; this only moves the disk's work earlier.
 *
 * <p>Not thread-safe (one writer, one thread). Many writers, in threads or processes, may write the same content at
 * once: each stages its own file and the first to publish wins; the others find the target present and succeed.
 * Follows containerd's local content store writer ({@code plugins/content/local/writer.go}, {@code Commit}).
 */
final class FileBlobWriter extends BlobWriter {
    private static final int BUFFER_SIZE = 64 * 1024;
    /** Bytes written between two early flushes of the staged file; smaller blobs are flushed by the commit only. */
    private static final long SYNC_AHEAD = 16L << 20;
    /** The staged file's mode: owner-only, as {@link Files#createTempFile} makes its files. */
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final OciLayout layout;
    private final Clock clock;
    private final Path staged;
    private final FileChannel channel;
    private final DigestAlgorithm algorithm;
    private final MessageDigest hasher;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private long count;
    /** Bytes handed to the channel so far, and when the last early flush began. */
    private long written;
    private long syncStartedAt;
    /** The thread of the early flush in progress, or null. */
    private Thread syncing;
    private State state = State.OPEN;

    private enum State { OPEN, COMMITTED, DISCARDED }

    FileBlobWriter(OciLayout layout, Clock clock, DigestAlgorithm algorithm) throws LayerException {
        this.layout = layout;
        this.clock = clock;
        this.algorithm = algorithm;
        this.hasher = algorithm.newMessageDigest();
        Path file = null;
        FileChannel opened = null;
        try {
            for (int attempt = 0; opened == null; attempt++) {
                file = stagedName(layout.ingestDir());
                try {
                    opened = openNew(file);
                } catch (FileAlreadyExistsException e) {
                    if (attempt >= 100) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new LayerException("cannot start a blob write in " + layout.ingestDir() + ": " + e.getMessage()
                    + "; check that the store directory exists and is writable", e);
        }
        this.staged = file;
        this.channel = opened;
    }

    /**
     * A new name {@code blob-<random>.partial} in {@code dir}. Not {@link Files#createTempFile}: its names come from
     * a {@code SecureRandom}, whose set-up (NativePRNG reading /dev/urandom, a SHA1PRNG to mix) cost a fresh JVM
     * ~3 ms before its first blob (class-load time line of bench/layers.sh's zstd case). The name only has to be new
     * in the store's own ingest directory, and the open fails rather than reuse one that exists ({@code CREATE_NEW},
     * {@code O_EXCL}), so a cheap random number does.
     */
    private static Path stagedName(Path dir) {
        return dir.resolve("blob-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + ".partial");
    }

    /**
     * Creates the owner-only file and opens it for writing in one {@code open(O_CREAT|O_EXCL)}: a create followed
     * by a separate open left the empty staged file behind in {@code ingest/} when the open failed (too many open
     * files), until a later sweep.
     */
    private static FileChannel openNew(Path file) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(file, options); // not a POSIX file system
        }
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (!buffer.hasRemaining()) {
            drain();
        }
        buffer.put((byte) b);
        hasher.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        Objects.checkFromIndexSize(offset, length, bytes.length);
        hasher.update(bytes, offset, length);
        count += length;
        if (length >= BUFFER_SIZE) {
            drain();
            writeFully(ByteBuffer.wrap(bytes, offset, length));
            return;
        }
        if (buffer.remaining() < length) {
            drain();
        }
        buffer.put(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
        drain();
    }

    @Override
    public long size() {
        return count;
    }

    @Override
    public Digest digest() {
        try {
            // Clone so the running hash continues; every JDK MessageDigest for SHA-2 is cloneable.
            return Digest.fromHash(algorithm, ((MessageDigest) hasher.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-2 MessageDigest is not cloneable", e);
        }
    }

    @Override
    public BlobInfo commit(long expectedSize, Digest expected) throws LayerException {
        if (state != State.OPEN) {
            throw new IllegalStateException("blob writer already " + state.name().toLowerCase());
        }
        if (expected != null && expected.algorithm() != algorithm) {
            throw new IllegalArgumentException("writer hashes with " + algorithm.ociName() + " but commit expects "
                    + expected);
        }
        try {
            drain();
            channel.force(true);
            channel.close();
            awaitSync();
            long onDisk = Files.size(staged);
            if (onDisk != count) {
                throw fail("staged file " + staged + " holds " + onDisk + " bytes but " + count
                        + " were written; the disk may be full or the file was modified by another program");
            }
            if (expectedSize >= 0 && expectedSize != count) {
                throw fail("blob size mismatch: expected " + expectedSize + " bytes"
                        + (expected == null ? "" : " for " + expected) + " but got " + count
                        + "; the source sent incomplete or different content, try again");
            }
            Digest actual = Digest.fromHash(algorithm, hasher.digest());
            if (expected != null && !expected.equals(actual)) {
                throw fail("blob digest mismatch: expected " + expected + " but the " + count
                        + " bytes written hash to " + actual + "; the source sent different content, try again");
            }
            BlobInfo info = publish(actual);
            state = State.COMMITTED;
            return info;
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw fail("cannot commit blob to " + layout.root() + ": " + e.getMessage()
                    + "; check free space and permissions of the store", e);
        }
    }

    private BlobInfo publish(Digest digest) throws IOException {
        Path target = layout.blob(digest);
        // The algorithm's directory is there after the store's first blob: java.nio's createDirectories answers an
        // existing directory with an exception (one per layer, and per config and manifest), so ask first.
        if (!PathPresence.surelyExists(target.getParent())) {
            Files.createDirectories(target.getParent());
        }
        // The commit time is the blob's mtime, taken from the store's clock like everything GC compares it with.
        Files.setLastModifiedTime(staged, FileTime.from(clock.instant()));
        // Read-only before the blob becomes visible, so no reader ever sees a writable committed blob
        // (containerd chmods after the rename; doing it first closes that window).
        makeReadOnly(staged);
        boolean published = linkOrMove(target);
        Files.deleteIfExists(staged);
        if (published) {
            AtomicFiles.fsyncDirectory(target.getParent());
        } else {
            refreshCommitTime(target);
        }
        return new BlobInfo(digest, count, Files.getLastModifiedTime(target).toInstant());
    }

    /**
     * Publishes the staged file under the target name without ever replacing an existing blob: a hard link fails
     * with EEXIST when another writer won the race (that counts as success). Filesystems without hard links get a
     * rename, which on POSIX may replace an identical blob atomically, which is harmless.
     *
     * @return true if this writer published the blob, false if it was already there
     */
    private boolean linkOrMove(Path target) throws IOException {
        if (Files.exists(target)) {
            return false;
        }
        try {
            Files.createLink(target, staged);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    /**
     * Marks an already-stored blob as freshly committed, so garbage collection running concurrently keeps it until
     * the caller references it from an index (see {@code GarbageCollector}'s grace period).
     */
    private void refreshCommitTime(Path target) {
        try {
            Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
        } catch (IOException e) {
            // Not the owner of the file (shared store): the blob is still valid; only GC protection is weaker.
        }
    }

    private static void makeReadOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        } catch (UnsupportedOperationException e) {
            if (!file.toFile().setReadOnly()) {
                throw new IOException("cannot make " + file + " read-only");
            }
        }
    }

    @Override
    public void close() throws LayerException {
        if (state != State.OPEN) {
            return;
        }
        try {
            discard();
        } catch (IOException e) {
            throw new LayerException("cannot discard staged blob " + staged + ": " + e.getMessage()
                    + "; it will be swept when the store is next opened", e);
        }
    }

    /** Marks this writer discarded, closes the staged file, waits for its background writeback and deletes it. */
    private void discard() throws IOException {
        state = State.DISCARDED;
        channel.close();
        awaitSync();
        Files.deleteIfExists(staged);
    }

    private LayerException fail(String message) {
        return fail(message, null);
    }

    private LayerException fail(String message, Throwable cause) {
        try {
            discard();
        } catch (IOException e) {
            // The startup sweep removes what cannot be removed now.
        }
        return cause == null ? new LayerException(message) : new LayerException(message, cause);
    }

    private void ensureOpen() throws IOException {
        if (state != State.OPEN) {
            throw new IOException("blob writer is " + state.name().toLowerCase() + "; start a new writer");
        }
    }

    private void drain() throws IOException {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer source) throws IOException {
        written += source.remaining();
        while (source.hasRemaining()) {
            channel.write(source);
        }
        if (written - syncStartedAt >= SYNC_AHEAD && (syncing == null || !syncing.isAlive())) {
            syncAhead();
        }
    }

    /**
     * Waits for the early flush's thread to end (closing the channel already waited for its call), so that no thread
     * of this writer outlives it.
     */
    private void awaitSync() {
        if (syncing != null) {
            Threads.joinUninterruptibly(syncing);
            syncing = null;
        }
    }

    /**
     * Starts flushing what is written so far to disk beside this thread; at most one such flush runs at a time. A
     * failure is ignored here: the commit's own force reports it, and a discarded file needs no flush (closing the
     * channel under a running flush makes it fail, also ignored).
     */
    private void syncAhead() {
        syncStartedAt = written;
        syncing = new Thread(() -> {
            try {
                channel.force(false);
            } catch (IOException | RuntimeException e) {
                // See above.
            }
        }, "wharf-blob-sync");
        syncing.setDaemon(true);
        syncing.start();
    }
}
