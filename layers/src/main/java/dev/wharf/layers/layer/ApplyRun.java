package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.FileTrees;
import dev.wharf.layers.posix.DeviceNumbers;
import dev.wharf.layers.posix.PosixCallException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One apply of {@link LayerApplier}: takes its entries in tar order and makes each at its path, replacing what was
 * there, with the help of one object per concern (parent resolution, whiteouts, regular files, metadata, directories
 * finished at the end). Whatever could see or disturb a regular file still pending on the writer's thread waits for
 * them first (see {@link RegularFiles}): an entry at a path this layer has written already (a duplicate, or a
 * directory replacing a file), any removal, a hard link, and the walk of a parent directory not resolved yet. Used by
 * the applying thread alone; {@link #close} stops the writer's thread.
 */
final class ApplyRun implements AutoCloseable {
    private final PosixFiles posix;
    private final boolean privileged;
    private final List<String> warnings = new ArrayList<>();
    private final WrittenPaths written;
    /**
     * Directories this apply created, empty at creation: a child path in one of them that this layer has not
     * written cannot exist, so no lstat is needed before creating it (as tar -x, which tries to create first).
     */
    private final Set<Path> createdDirectories = new HashSet<>();
    private final ParentDirectories parents;
    private final EntryOwners owners;
    private final PendingDirectories directories;
    private final EntryMetadata metadata;
    private final RegularFiles files;
    private final Whiteouts whiteouts;
    private long entries;
    private String lastEntry;

    /**
     * An apply onto {@code root} as root ({@code privileged}) or not, keeping the entries' owners or not, with
     * parents resolved by {@code resolver} (null: inside the root alone).
     */
    ApplyRun(PosixFiles posix, ConfinedRoot root, boolean privileged, boolean keepOwners,
             LayerApplier.Directories resolver) {
        this.posix = posix;
        this.privileged = privileged;
        this.written = new WrittenPaths(root.root());
        this.parents = new ParentDirectories(root, resolver, createdDirectories);
        this.owners = new EntryOwners(posix, root, privileged, keepOwners, resolver == null);
        this.directories = new PendingDirectories(posix, privileged, owners);
        this.metadata = new EntryMetadata(posix, owners, directories, warnings);
        this.files = new RegularFiles(posix, owners, metadata, resolver == null);
        this.whiteouts = new Whiteouts(root, written, this::delete);
    }

    /** Where the apply is, for an error: the last entry taken. */
    String where() {
        return lastEntry == null ? "at its start" : "at or after entry " + lastEntry;
    }

    void apply(TarEntry entry, TarReader tar) throws LayerException {
        entries++;
        lastEntry = entry.name();
        try {
            applyEntry(entry, tar);
        } catch (LayerException e) {
            throw e;
        } catch (IOException | InvalidPathException e) {
            throw new LayerException("cannot apply layer entry " + entry.name() + ": " + e, e);
        }
    }

    /** Ends the apply: every file written and closed, then the directories' owners, modes and times. */
    void finish() throws LayerException {
        files.finish();
        directories.finish();
    }

    ApplyResult result() {
        return new ApplyResult(entries, files.contentBytes(), warnings);
    }

    @Override
    public void close() {
        files.close();
    }

    private void applyEntry(TarEntry entry, TarReader tar) throws IOException {
        List<String> parts = ConfinedRoot.clean(entry.name(), "layer entry");
        if (parts.isEmpty()) {
            // The root itself: containerd ignores it, so the root's own mode and owner stay the caller's.
            return;
        }
        String base = parts.get(parts.size() - 1);
        if (Whiteouts.isWhiteout(base)) {
            files.awaitPending(); // It resolves, lists and removes paths where this layer's files may be pending.
            whiteouts.apply(entry, parts, base);
            return;
        }
        String parentKey = ParentDirectories.key(parts);
        Path parent = parentOf(parentKey, parts, entry.name());
        Path path = parent.resolve(base);
        boolean rewritten = written.contains(path);
        if (rewritten) {
            files.awaitPending(); // A duplicate entry: this layer's file there may still be pending.
        }
        Optional<BasicFileAttributes> existing = createdDirectories.contains(parent) && !rewritten
                ? Optional.empty() : Lstat.of(path);
        if (existing.isPresent() && !(existing.get().isDirectory() && entry.type() == TarEntryType.DIRECTORY)) {
            delete(path);
            directories.replaced(path);
        }
        switch (entry.type()) {
            case DIRECTORY -> {
                if (existing.isEmpty() || !existing.get().isDirectory()) {
                    Files.createDirectory(path);
                    owners.learnFrom(path);
                    createdDirectories.add(path);
                    if (existing.isEmpty()) {
                        parents.madeDirectory(path);
                    }
                }
                // A real directory (created here, or found by lstat, not a symlink) inside the root.
                parents.enteredDirectory(parentKey, base, path);
            }
            case REGULAR -> {
                if (files.write(path, entry, tar)) {
                    written.add(path, parent);
                    return;
                }
            }
            case SYMLINK -> {
                if (entry.linkName().isEmpty() || entry.linkName().indexOf('\0') >= 0) {
                    throw new LayerException("layer entry " + entry.name() + " is a symlink with an empty or "
                            + "invalid target");
                }
                posix.symlink(entry.linkName(), path);
                parents.madeSymlink();
            }
            case HARDLINK -> {
                // Its target, or a component of the target's path, may be a pending file; and a target created
                // here may still get its owner, mode and time on the writer's thread, which must come first.
                files.awaitAll();
                Path target = hardlinkTarget(entry);
                Files.createLink(path, target);
                // The link's header then sets owner, xattrs, mode and time of the inode it shares with its
                // target, as containerd's and go-archive's createTarFile do after os.Link (so a header that
                // differs from its target's, as Python's tarfile writes, changes the target too). Not for a
                // link to a symlink: chmod and times would follow it (go-archive's handleLChmod skips them too).
                metadata.setOfLink(path, Files.isSymbolicLink(target), entry);
                written.add(path, parent);
                return;
            }
            case CHAR_DEVICE, BLOCK_DEVICE -> {
                if (!privileged) {
                    warnings.add("skipped device node " + entry.name() + ": creating devices needs root");
                    return;
                }
                int type = entry.type() == TarEntryType.CHAR_DEVICE ? PosixFiles.S_IFCHR : PosixFiles.S_IFBLK;
                try {
                    posix.mknod(path, type | 0600, DeviceNumbers.makedev(entry.devMajor(), entry.devMinor()));
                } catch (PosixCallException e) {
                    if (e.errno() != PosixCallException.EPERM) {
                        throw e;
                    }
                    // Root in a user namespace may not create devices; Docker skips them there too.
                    warnings.add("skipped device node " + entry.name() + ": " + e.getMessage());
                    return;
                }
            }
            case FIFO -> posix.mknod(path, PosixFiles.S_IFIFO | 0600, 0);
            default -> throw new IllegalStateException("unhandled entry type " + entry.type());
        }
        written.add(path, parent);
        metadata.set(path, entry);
    }

    /** The entry's parent directory, resolved inside the root (created if missing), remembered until a removal. */
    private Path parentOf(String key, List<String> parts, String entryName) throws LayerException {
        Path parent = parents.remembered(key);
        if (parent == null) {
            files.awaitPending(); // The walk lstats each component: none may be a file still pending.
            parent = parents.resolve(key, parts, entryName);
        }
        return parent;
    }

    private Path hardlinkTarget(TarEntry entry) throws IOException {
        List<String> target = ConfinedRoot.clean(entry.linkName(), "hard link target of " + entry.name() + ":");
        if (target.isEmpty()) {
            throw new LayerException("layer entry " + entry.name() + " is a hard link to the root directory");
        }
        Path parent = parents.ofLinkTarget(target, entry.name());
        Path source = parent == null ? null : parent.resolve(target.get(target.size() - 1));
        Optional<BasicFileAttributes> attrs = source == null ? Optional.empty() : Lstat.of(source);
        if (attrs.isEmpty()) {
            throw new LayerException("layer entry " + entry.name() + " is a hard link to " + entry.linkName()
                    + ", which does not exist in the layer or below it");
        }
        if (attrs.get().isDirectory()) {
            throw new LayerException("layer entry " + entry.name() + " is a hard link to the directory "
                    + entry.linkName());
        }
        return source;
    }

    /** Removes a file or tree; any remembered resolution may have gone through it. */
    private void delete(Path path) throws IOException {
        files.awaitPending(); // Pending files may be at the path or under it, resolved through it.
        parents.forgetAll();
        directories.removedSomething();
        FileTrees.delete(path);
    }
}
