package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.NewFile;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Creates and writes the regular files of one apply. Through the binding ({@link PosixFiles#createFile}) a file
 * gets its content, owner, mode and time by its descriptor, mostly on the {@link FileDataWriter}'s thread, so the
 * kernel's creating and copying of files overlaps the parsing of the next entries; once the first file was created
 * here (so the binding can), and only when parents are resolved inside the root alone (a
 * {@link LayerApplier.Directories} resolver may send entries through a tree whose symlinks the apply does not track),
 * even the create moves to that thread: whatever could see a file still pending must then {@link #awaitPending}
 * first. Without the binding, java.nio writes the content and the caller sets the metadata. Used by the applying
 * thread alone.
 */
final class RegularFiles implements AutoCloseable {
    private final PosixFiles posix;
    private final EntryOwners owners;
    private final EntryMetadata metadata;
    private final boolean rootAlone;
    private final FileDataWriter writer;
    private final byte[] copyBuffer = new byte[256 * 1024];
    /** Whether files are written through {@link PosixFiles#createFile}; false once it is unsupported. */
    private boolean nativeFiles = true;
    /** Whether files are created by {@link #writer} instead of here (see the class). */
    private boolean deferCreates;
    private long contentBytes;

    RegularFiles(PosixFiles posix, EntryOwners owners, EntryMetadata metadata, boolean rootAlone) {
        this.posix = posix;
        this.owners = owners;
        this.metadata = metadata;
        this.rootAlone = rootAlone;
        this.writer = new FileDataWriter(posix);
    }

    /** The content bytes of the files written so far. */
    long contentBytes() {
        return contentBytes;
    }

    /**
     * Creates the regular file {@code path} of {@code entry} with the entry's content from {@code tar}.
     *
     * @return true when the file also has (or gets, on the writer's thread) its owner, xattrs, mode and time; false
     *     when only its content was written, through java.nio, and the caller sets its metadata
     */
    boolean write(Path path, TarEntry entry, TarReader tar) throws IOException {
        if (nativeFiles) {
            try {
                writeNative(path, entry, tar);
                return true;
            } catch (UnsupportedOperationException e) {
                nativeFiles = false; // Nothing was created; java.nio below, for this and later files.
            }
        }
        try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            contentBytes += copy(tar.content(), out);
        }
        return false;
    }

    /** Waits for the files the writer still has to create, when it creates them. */
    void awaitPending() throws LayerException {
        if (deferCreates) {
            writer.awaitAll();
        }
    }

    /** Waits for every file handed to the writer, also for its owner, mode and time. */
    void awaitAll() throws LayerException {
        writer.awaitAll();
    }

    /** Waits until every file is written and closed; the apply is over. */
    void finish() throws LayerException {
        writer.finish();
    }

    @Override
    public void close() {
        writer.close();
    }

    /** Copies an entry's content with a buffer larger than transferTo's 8 KiB: fewer write calls. */
    private long copy(InputStream in, OutputStream out) throws IOException {
        long total = 0;
        int n;
        while ((n = in.read(copyBuffer)) >= 0) {
            out.write(copyBuffer, 0, n);
            total += n;
        }
        return total;
    }

    /**
     * Creates a regular file and sets its content, owner, xattrs, mode and time through its descriptor: one
     * exclusive create by path, then no further path lookup (tar -x does the same: fchown, fchmod, futimens).
     * Without xattrs, all that follows the create happens on the {@link FileDataWriter}'s thread.
     */
    private void writeNative(Path path, TarEntry entry, TarReader tar) throws IOException {
        if (deferCreates && entry.xattrs().isEmpty()) {
            contentBytes += writer.create(path, entry, owners.needsChown(entry), tar.content());
            return;
        }
        NewFile created = posix.createFile(path, 0600);
        deferCreates = rootAlone;
        // As for the deferred creates: a new file that already has its entry's owner is not chowned.
        boolean owner = owners.needsChown(entry);
        if (entry.xattrs().isEmpty()) {
            // The file is the writer's now (closed by it, also if this fails); it never uses the path again.
            contentBytes += writer.write(created, entry, owner, tar.content());
            return;
        }
        // xattrs (rare: file capabilities) are set by path, so on this thread, between owner and mode.
        try (NewFile file = created) {
            InputStream in = tar.content();
            long total = 0;
            int n;
            while ((n = in.read(copyBuffer)) >= 0) {
                file.write(copyBuffer, 0, n);
                total += n;
            }
            contentBytes += total;
            // Owner first: chown clears setuid/setgid bits and file capabilities, which come after it.
            if (owner) {
                file.chown((int) entry.uid(), (int) entry.gid());
            }
            metadata.setXattrs(path, entry);
            file.chmod(entry.mode());
            file.setTimes(entry.mtime(), 0);
        }
    }
}
