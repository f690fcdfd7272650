package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.PosixStat;
import dev.wharf.layers.tar.TarEntry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which entries of one apply are chowned to their entry's owner. Only as root, and only when the caller keeps owners
 * ({@link LayerApplier#withoutOwners}). In a fresh tree (the root was empty and without setgid, and parents are
 * resolved inside it alone) every directory an entry is created in was created by this apply, without setgid until
 * its metadata is set at the end, so new entries get the process's own user and group: an entry whose owner is that
 * one needs no chown (a layer's entries are mostly root's: ~10,000 chown calls fewer for a 300 MB layer). Used by
 * the applying thread alone.
 */
final class EntryOwners {
    private static final int S_ISGID = 02000;

    private final PosixFiles posix;
    private final boolean chown;
    /** Whether new entries may keep the owner they are created with when it is their entry's (see the class). */
    private final boolean freshTree;
    /** The owner of the directories this apply creates, learnt from the first one (-1: not yet). */
    private int ownUid = -1;
    private int ownGid = -1;

    /**
     * The owners of an apply onto {@code root}: {@code privileged} when running as root, {@code rootAlone} when
     * parents are resolved inside the root alone (no {@link LayerApplier.Directories}).
     */
    EntryOwners(PosixFiles posix, ConfinedRoot root, boolean privileged, boolean keepOwners, boolean rootAlone) {
        this.posix = posix;
        this.chown = privileged && keepOwners;
        this.freshTree = chown && rootAlone && emptyWithoutSetgid(root.root());
    }

    private boolean emptyWithoutSetgid(Path dir) {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            return !children.iterator().hasNext() && (posix.lstat(dir).mode() & S_ISGID) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // Then every entry is chowned, as always.
        }
    }

    /** Whether entries get their owners at all. */
    boolean chown() {
        return chown;
    }

    /** Learns the owner of new directories from {@code created}, the first one, when the tree is fresh. */
    void learnFrom(Path created) throws LayerException {
        if (freshTree && ownUid < 0) {
            PosixStat stat = posix.lstat(created);
            ownUid = stat.uid();
            ownGid = stat.gid();
        }
    }

    /** Whether a new entry made in this apply's tree must be chowned to its entry's owner: not if it has it. */
    boolean needsChown(TarEntry entry) {
        return chown && !(ownUid >= 0 && entry.uid() == ownUid && entry.gid() == ownGid);
    }
}
