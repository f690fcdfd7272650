package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixCallException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Gives the entries of one apply their owner, xattrs, mode and time, in the order the kernel needs: the owner
 * first, since chown clears setuid/setgid bits and file capabilities, which come after it. A directory's mode and
 * time wait for the end ({@link PendingDirectories}). overlayfs's own xattrs are never set, so a layer cannot plant
 * overlay metadata. Used by the applying thread alone.
 */
final class EntryMetadata {
    private final PosixFiles posix;
    private final EntryOwners owners;
    private final PendingDirectories directories;
    private final List<String> warnings;

    /** Metadata setting that leaves directories to {@code directories} and adds what it skips to {@code warnings}. */
    EntryMetadata(PosixFiles posix, EntryOwners owners, PendingDirectories directories, List<String> warnings) {
        this.posix = posix;
        this.owners = owners;
        this.directories = directories;
        this.warnings = warnings;
    }

    /** Sets the metadata of {@code path}, which this apply created for {@code entry} (no regular file's). */
    void set(Path path, TarEntry entry) throws IOException {
        // A directory without xattrs gets its owner at the end, with its mode (ownerAtTheEnd).
        if (owners.chown() && !PendingDirectories.ownerAtTheEnd(entry)) {
            posix.lchown(path, (int) entry.uid(), (int) entry.gid());
            if (entry.type() == TarEntryType.DIRECTORY) {
                directories.chowned(path);
            }
        }
        setXattrs(path, entry);
        if (entry.type() == TarEntryType.DIRECTORY) {
            directories.add(path, entry);
            return;
        }
        if (entry.type() != TarEntryType.SYMLINK) {
            chmod(path, entry.mode());
        }
        posix.setTimes(path, entry.mtime(), 0);
    }

    /**
     * A hard link entry's owner, xattrs, mode and time go to the inode it shares with its target, as
     * createTarFile does in containerd's archive/tar.go and in go-archive (BuildKit's ADD unpack): lchown and
     * xattrs always, chmod and times only when the target is no symlink (handleLChmod, chtimes), since both
     * would follow it. Tools that write a link header with its inode's metadata make this a no-op; an archive
     * whose link header differs (a duplicate entry rewrote the target) ends with the link header's metadata.
     */
    void setOfLink(Path path, boolean toSymlink, TarEntry entry) throws IOException {
        if (owners.chown()) {
            posix.lchown(path, (int) entry.uid(), (int) entry.gid());
        }
        setXattrs(path, entry);
        if (!toSymlink) {
            chmod(path, entry.mode());
            posix.setTimes(path, entry.mtime(), 0);
        }
    }

    /** Sets the entry's xattrs; those the file system refuses (ENOTSUP, EPERM) are skipped with a warning. */
    void setXattrs(Path path, TarEntry entry) throws LayerException {
        for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
            String name = x.getKey();
            if (name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.")) {
                warnings.add("skipped xattr " + name + " of " + entry.name() + ": overlayfs metadata");
                continue;
            }
            try {
                posix.setXattr(path, name, x.getValue());
            } catch (PosixCallException e) {
                if (e.errno() != PosixCallException.ENOTSUP && e.errno() != PosixCallException.EPERM) {
                    throw new LayerException("cannot set xattr " + name + " of layer entry " + entry.name() + ": "
                            + e.getMessage(), e);
                }
                warnings.add("skipped xattr " + name + " of " + entry.name() + ": " + e.getMessage());
            }
        }
    }

    /**
     * chmod of a path this apply created, so not a symlink. Java's no-follow variant opens the file to fchmod it,
     * which would block on a fifo and open a device, so the plain (following) chmod is used, libc's (java.nio's
     * attribute call parses its name and makes a view object each time: thousands of directories, interpreted in a
     * fresh JVM).
     */
    private void chmod(Path path, int mode) throws LayerException {
        posix.chmod(path, mode);
    }
}
