package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.Threads;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The directories of one apply whose mode and time (and owner, for those without xattrs) are set at its end, once
 * nothing more is created in them: a read-only mode would block their children, and every child created would
 * change their time. Filled by the applying thread; {@link #finish} may use a second thread.
 */
final class PendingDirectories {
    /** Directories from which their owners, modes and times are set on two threads (a second thread's cost). */
    private static final int PARALLEL_DIRECTORIES = 256;

    private final PosixFiles posix;
    private final boolean privileged;
    private final EntryOwners owners;
    /** In tar order: parents before their children, in the usual order. */
    private final Map<Path, TarEntry> directories = new LinkedHashMap<>();
    /** Directories chowned as their entry came (with xattrs): not left as created, whatever a later entry says. */
    private final Set<Path> chowned = new HashSet<>();
    /** Whether anything was removed: until then, every directory recorded is still one. */
    private boolean removedAny;

    PendingDirectories(PosixFiles posix, boolean privileged, EntryOwners owners) {
        this.posix = posix;
        this.privileged = privileged;
        this.owners = owners;
    }

    /**
     * Whether the directory {@code entry} gets its owner in {@link #finish}, with its mode and time: when it has no
     * xattrs (which must come after the owner, so those directories get it at once).
     */
    static boolean ownerAtTheEnd(TarEntry entry) {
        return entry.type() == TarEntryType.DIRECTORY && entry.xattrs().isEmpty();
    }

    /** Records {@code path}'s entry, the last one at that path, for the end. */
    void add(Path path, TarEntry entry) {
        directories.remove(path);
        directories.put(path, entry);
    }

    /** Records that {@code path} was chowned as its entry came. */
    void chowned(Path path) {
        chowned.add(path);
    }

    /** Forgets {@code path}: an entry that is no directory replaced it. */
    void replaced(Path path) {
        directories.remove(path);
    }

    /** Records that something was removed: a recorded directory, or an ancestor, may be gone. */
    void removedSomething() {
        removedAny = true;
    }

    /**
     * Sets the directories' owners (those left for the end), modes and times. With many directories, as root, half
     * of them on a second thread: nothing orders them then (as root no mode of a parent can block its children, and
     * setting a directory's metadata does not change its parent's time).
     */
    void finish() throws LayerException {
        List<Map.Entry<Path, TarEntry>> dirs = new ArrayList<>(directories.entrySet());
        if (!privileged || dirs.size() < PARALLEL_DIRECTORIES || Runtime.getRuntime().availableProcessors() < 2) {
            finish(dirs, 0, dirs.size());
            return;
        }
        int half = dirs.size() / 2;
        LayerException[] failure = new LayerException[1];
        Thread helper = new Thread(() -> {
            try {
                finish(dirs, half, dirs.size());
            } catch (Throwable e) {
                // Even an Error: reported by the applier's thread, never left to the default handler's printing.
                failure[0] = e instanceof LayerException l ? l
                        : new LayerException("cannot set owner, mode and time of directories: " + e, e);
            }
        }, "wharf-layer-directories");
        helper.setDaemon(true);
        helper.start();
        try {
            finish(dirs, 0, half);
        } finally {
            // Its system calls must not outlive the apply (the caller may delete the tree next).
            Threads.joinUninterruptibly(helper);
        }
        if (failure[0] != null) { // Seen after join: the helper's write happens-before the join's return.
            throw new LayerException(failure[0].getMessage(), failure[0]);
        }
    }

    /** Finishes {@code dirs[from, to)}, children before parents: a read-only parent cannot block its children. */
    private void finish(List<Map.Entry<Path, TarEntry>> dirs, int from, int to) throws LayerException {
        for (int i = to - 1; i >= from; i--) {
            Path path = dirs.get(i).getKey();
            TarEntry entry = dirs.get(i).getValue();
            try {
                // Only a removal (of it or of an ancestor) can have turned a directory of this list into
                // something else or nothing: replacing an entry always removes it first.
                if (removedAny && Lstat.of(path).filter(BasicFileAttributes::isDirectory).isEmpty()) {
                    continue;
                }
                // Owner first: chown clears setuid/setgid bits, which the mode sets after it.
                if (ownerAtTheEnd(entry) && (owners.needsChown(entry) || chowned.contains(path))) {
                    posix.lchown(path, (int) entry.uid(), (int) entry.gid());
                }
                posix.chmod(path, entry.mode()); // libc's chmod: see EntryMetadata#chmod
                posix.setTimes(path, entry.mtime(), 0);
            } catch (IOException e) {
                throw new LayerException("cannot set owner, mode and time of layer entry " + entry.name() + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
