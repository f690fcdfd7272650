package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.Threads;
import dev.wharf.layers.posix.NewFile;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Creates regular files for {@link LayerApplier} and writes their content and metadata, on a thread of its own: while
 * this thread creates one file and copies its bytes into the kernel (most of an apply's system time), the applier's
 * thread parses the next tar entries and creates their directories and links, so an apply uses two cores where
 * {@code tar -x} uses one.
 *
 * <p>A file is either created here ({@link #create}: an exclusive, no-follow create of a path the applier resolved
 * inside the root, as the applier's own create would be) or handed over already created ({@link #write}); after the
 * create, this thread only acts through the descriptor ({@code write}, {@code fchown}, {@code fchmod},
 * {@code futimens}, {@code close}). Files are created and written in the order they are handed over, one at a time.
 * A path handed to {@link #create} is the resolved (symlink-free) parent directory the applier found plus the new
 * name, so what the applier does to the tree meanwhile cannot redirect it, except removing a directory or replacing
 * the path itself: before it does either, or links to a file, or looks at the tree where a file may still be pending,
 * the applier calls {@link #awaitAll} (see {@link LayerApplier}). Content is copied out of the tar stream into a few
 * 1 MiB buffers shared by many small files; at most {@link #MAX_BUFFERS} buffers and {@link #FILES_PER_BATCH} files
 * (so open descriptors) per buffer are in flight, so memory and descriptors stay bounded whatever the layer.
 *
 * <p>Not thread-safe: one thread (the applier's) calls {@link #create}, {@link #write}, {@link #awaitAll},
 * {@link #finish} and {@link #close}. The writing thread is started on the first file and ends with {@link #finish}
 * or {@link #close}.
 */
final class FileDataWriter implements AutoCloseable {
    private static final int BUFFER_SIZE = 1 << 20;
    /** Buffers in existence: the one being filled and those queued or being written. */
    private static final int MAX_BUFFERS = 5;
    /** Files (so descriptors) per buffer: bounds the open descriptors to MAX_BUFFERS times this. */
    private static final int FILES_PER_BATCH = 64;

    /**
     * One file of a batch, the operation that creates it when {@code path} is set (else the applier created it):
     * the writing thread sets {@code file} and alone uses it from then on.
     */
    private static final class Target {
        final Path path;
        final String entry;
        NewFile file;

        Target(Path path, String entry, NewFile file) {
            this.path = path;
            this.entry = entry;
            this.file = file;
        }
    }

    /** Bytes of one file at {@code offset} in the batch's buffer. */
    private record Segment(Target target, int offset, int length) {
    }

    /** The end of one file: set its owner (when {@code chown}), mode and time, then close it (only close it when
     * {@code closeOnly}, after the applier failed to read its content). */
    private record Done(Target target, boolean chown, int uid, int gid, int mode, long mtime, boolean closeOnly) {
    }

    /** A buffer and the operations on it, in order; a null buffer ends the writing thread. */
    private static final class Batch {
        final byte[] buffer;
        final List<Object> ops = new ArrayList<>();
        int used;
        int files;

        Batch(byte[] buffer) {
            this.buffer = buffer;
        }
    }

    private final PosixFiles posix;
    private final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(MAX_BUFFERS);
    private int buffers;
    private Batch batch;
    private Thread thread;
    /** The first failure of the writing thread, reported to the applier's thread at its next call. */
    private volatile LayerException failure;
    /** Batches queued (by the applier's thread); batches done (by the writing thread, guarded by {@link #progress}). */
    private long submitted;
    private long completed;
    private final Object progress = new Object();

    /** A writer that creates files with {@code posix}. */
    FileDataWriter(PosixFiles posix) {
        this.posix = posix;
    }

    /**
     * Hands over the new regular file {@code path} of the layer entry {@code entry}: its content is read now from
     * {@code content} (to its end) into the buffers; the writing thread creates it ({@link PosixFiles#createFile},
     * mode 0600: exclusive, never following a symlink), then writes it and sets the entry's owner (when
     * {@code chown}), mode and modification time, as {@link #write} does.
     *
     * @return the number of content bytes read
     * @throws LayerException if the writing thread has failed on an earlier file, or reading the content fails
     */
    long create(Path path, TarEntry entry, boolean chown, InputStream content) throws IOException {
        return hand(new Target(path, entry.name(), null), entry, chown, content);
    }

    /**
     * Hands over {@code file}, a new regular file of the layer entry {@code entry}: its content is read now from
     * {@code content} (to its end) into the buffers; writing it, then the entry's owner (when {@code chown}), mode and
     * modification time, and closing the file happen on the writing thread. The file is this writer's from now on, also when this
     * call fails: it closes it.
     *
     * @return the number of content bytes read
     * @throws LayerException if the writing thread has failed on an earlier file, or reading the content fails
     */
    long write(NewFile file, TarEntry entry, boolean chown, InputStream content) throws IOException {
        return hand(new Target(null, entry.name(), file), entry, chown, content);
    }

    private long hand(Target target, TarEntry entry, boolean chown, InputStream content) throws IOException {
        boolean read = false;
        long total = 0;
        try {
            throwIfFailed();
            roomForFile();
            batch.files++;
            if (target.path != null) {
                batch.ops.add(target);
            }
            while (true) {
                if (batch.used == batch.buffer.length) {
                    submit();
                    batch.files++;
                }
                int n = content.read(batch.buffer, batch.used, batch.buffer.length - batch.used);
                if (n < 0) {
                    break;
                }
                batch.ops.add(new Segment(target, batch.used, n));
                batch.used += n;
                total += n;
            }
            read = true;
        } finally {
            Done done = new Done(target, chown, (int) entry.uid(), (int) entry.gid(), entry.mode(), entry.mtime(),
                    !read);
            if (thread == null) {
                finishFile(done); // No writing thread (it could not start): close the file here.
            } else {
                if (batch == null) {
                    batch = new Batch(takeBuffer());
                }
                // Always queued, so the writing thread closes the file even when reading its content failed.
                batch.ops.add(done);
            }
        }
        return total;
    }

    /**
     * Waits until every file handed over so far is created, written and closed, so the applier may look at or change
     * the tree where they are.
     *
     * @throws LayerException naming the entry if creating or writing one failed
     */
    void awaitAll() throws LayerException {
        if (thread != null) {
            if (batch != null && !batch.ops.isEmpty()) {
                queue.add(batch);
                submitted++;
                batch = null;
            }
            boolean interrupted = false;
            synchronized (progress) {
                // The writing thread finishes every batch, also after a failure, so this ends.
                while (completed < submitted) {
                    try {
                        progress.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        throwIfFailed();
    }

    /**
     * Waits until every file handed over is written and closed.
     *
     * @throws LayerException naming the entry if writing one failed
     */
    void finish() throws LayerException {
        stop();
        throwIfFailed();
    }

    /** Stops the writing thread after it has closed every file handed over (written or not); idempotent. */
    @Override
    public void close() {
        stop();
    }

    private void stop() {
        if (thread == null) {
            return;
        }
        if (batch != null && !batch.ops.isEmpty()) {
            queue.add(batch);
        }
        batch = null;
        queue.add(new Batch(null));
        // The thread ends on its own after the queued files; their descriptors must not leak, so wait for it.
        Threads.joinUninterruptibly(thread);
        thread = null;
    }

    private void throwIfFailed() throws LayerException {
        LayerException f = failure;
        if (f != null) {
            throw new LayerException(f.getMessage(), f);
        }
    }

    /** Makes sure the current batch may take one more file. */
    private void roomForFile() {
        if (thread == null) {
            thread = new Thread(this::run, "wharf-layer-file-writer");
            thread.setDaemon(true);
            thread.start();
        }
        if (batch != null && (batch.files >= FILES_PER_BATCH || batch.used == batch.buffer.length)) {
            submit();
        }
        if (batch == null) {
            batch = new Batch(takeBuffer());
        }
    }

    /** Queues the current batch and starts a new one. */
    private void submit() {
        queue.add(batch);
        submitted++;
        batch = new Batch(takeBuffer());
    }

    /** A new buffer while fewer than MAX_BUFFERS exist, else the next one the writing thread gives back. */
    private byte[] takeBuffer() {
        if (buffers < MAX_BUFFERS) {
            buffers++;
            return new byte[BUFFER_SIZE];
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    // The writing thread always gives buffers back (it keeps going after a failure), so this ends.
                    return free.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The writing thread: batches in order, every file closed, buffers given back. */
    private void run() {
        while (true) {
            Batch b;
            try {
                b = queue.take();
            } catch (InterruptedException e) {
                continue; // Nobody interrupts this thread; it ends on the end batch only.
            }
            if (b.buffer == null) {
                return;
            }
            for (Object op : b.ops) {
                if (op instanceof Segment s) {
                    if (failure == null) {
                        try {
                            s.target().file.write(b.buffer, s.offset(), s.length());
                        } catch (Throwable e) {
                            // Even an Error: this thread must go on closing files and giving buffers back, or the
                            // applier's thread would wait for a buffer (or in awaitAll) forever.
                            fail(s.target().entry, e);
                        }
                    }
                } else if (op instanceof Target t) {
                    if (failure == null) {
                        try {
                            t.file = posix.createFile(t.path, 0600);
                        } catch (Throwable e) {
                            fail(t.entry, e);
                        }
                    }
                } else {
                    finishFile((Done) op);
                }
            }
            free.add(b.buffer);
            synchronized (progress) {
                completed++;
                progress.notifyAll();
            }
        }
    }

    private void finishFile(Done d) {
        NewFile file = d.target().file;
        if (file == null) {
            return; // Never created: a failure before it.
        }
        try {
            if (failure == null && !d.closeOnly()) {
                // Owner first: chown clears setuid/setgid bits, which the mode sets after it.
                if (d.chown()) {
                    file.chown(d.uid(), d.gid());
                }
                file.chmod(d.mode());
                file.setTimes(d.mtime(), 0);
            }
        } catch (Throwable e) {
            fail(d.target().entry, e);
        } finally {
            try {
                file.close();
            } catch (Throwable e) {
                fail(d.target().entry, e);
            }
        }
    }

    private void fail(String entry, Throwable e) {
        if (failure == null) {
            failure = new LayerException("cannot apply layer entry " + entry + ": " + e, e);
        }
    }
}
