package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.compress.RatioLimit;
import dev.wharf.layers.layout.FileTrees;
import dev.wharf.layers.layout.Threads;
import dev.wharf.layers.posix.DeviceNumbers;
import dev.wharf.layers.posix.NewFile;
import dev.wharf.layers.posix.PosixCallException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.PosixStat;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Applies a layer (a tar, plain or gzip or zstd, recognised by its first bytes) onto a directory, as containerd's
 * {@code archive.Apply} does for OCI layers.
 *
 * <ul>
 *   <li>Whiteouts: {@code .wh.<name>} removes {@code <name>}; {@code <dir>/.wh..wh..opq} removes everything in
 *       {@code dir} that this layer has not written (so it works in any entry order); other {@code .wh..wh.} names
 *       are ignored.</li>
 *   <li>An entry replaces what is at its path, except that a directory over a directory only updates the metadata.
 *       Missing parent directories are created with mode 0755.</li>
 *   <li>Hard links, symlinks (dangling too), fifos, xattrs, modes, and modification times (also of symlinks) are
 *       reproduced; owners and device nodes only when running as root (otherwise devices are skipped with a
 *       warning). overlayfs's own xattrs ({@code trusted.overlay.*}, {@code user.overlay.*}) are never set, so a
 *       layer cannot plant overlay metadata. Directory modes and times (and owners, of directories without xattrs) are
 *       set after all entries.</li>
 *   <li>Confinement: every path is resolved inside the root ({@link ConfinedRoot}); a name or hard-link target with
 *       {@code ..} above the root is refused, absolute names are taken relative to the root, and symlinks met on
 *       the way (planted by this or an earlier layer) are followed only within the root.</li>
 *   <li>A malformed, truncated or corrupted archive fails with a {@link LayerException} naming the entry; the root
 *       may then hold part of the layer, and the caller discards it. So does a compressed stream expanding beyond
 *       {@link RatioLimit#DEFAULT} (a decompression bomb).</li>
 * </ul>
 *
 * <p>Each apply resolves every path on the calling thread, in tar order, and creates there the directories, links and
 * other entries; regular files are created (at the path so resolved), written and given their owner, mode and time
 * by a thread of its own ({@link FileDataWriter}), in tar order too, so the kernel's creating and copying of files
 * overlaps the parsing and creating of the next entries. Whatever could see or disturb a file still pending on that
 * thread waits for all of them first: an entry at a path this layer has written already (a duplicate, or a directory
 * replacing a file), any removal (a replaced entry, a whiteout, an opaque directory), a hard link, and the walk of a
 * parent directory not resolved yet (its components may be pending files). So every path is still checked against
 * the tree as the entries before it left it, and the containment rules below hold as they do one entry at a time.
 *
 * <p>Immutable and thread-safe; concurrent applies must use different roots.
 */
public final class LayerApplier {
    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String WHITEOUT_META_PREFIX = ".wh..wh.";
    private static final String OPAQUE_MARKER = ".wh..wh..opq";
    private static final int S_ISGID = 02000;
    /** Directories from which their owners, modes and times are set on two threads (a second thread's cost). */
    private static final int PARALLEL_DIRECTORIES = 256;

    private final PosixFiles posix;
    private final boolean keepOwners;

    /** Creates an applier that uses {@code posix} for owners, devices, xattrs and symlink times. */
    public LayerApplier(PosixFiles posix) {
        this(posix, true);
    }

    private LayerApplier(PosixFiles posix, boolean keepOwners) {
        this.posix = Objects.requireNonNull(posix, "posix");
        this.keepOwners = keepOwners;
    }

    /**
     * An applier that leaves every file owned by the caller, as BuildKit's local exporter writes a build's result
     * ({@code session/filesync}: each entry's uid and gid replaced by the client's); modes, setuid bits included,
     * are kept.
     */
    public LayerApplier withoutOwners() {
        return new LayerApplier(posix, false);
    }

    /**
     * Where the entries of an apply go when {@code root} is not the whole tree they must be resolved in: the
     * writable directory of a snapshot whose lower layers hold directories and symlinks that entries' paths go
     * through (ADD of an archive, extracted by BuildKit in the merged filesystem).
     */
    @FunctionalInterface
    public interface Directories {
        /**
         * The host directory that holds entries under {@code parts} (clean components relative to the apply's
         * root), made when missing; symlinks on the way followed as the tree they belong to says.
         */
        Path directory(List<String> parts, String entry) throws IOException, LayerException;

        /**
         * Called after the apply made the directory {@code created} where the root had nothing: the tree around
         * the root may have had a non-directory there, which the new directory replaces.
         */
        default void madeDirectory(Path created) throws IOException, LayerException {
        }
    }

    /**
     * Applies the layer read from {@code layer} onto {@code root}. The whole stream is read, so a corrupted
     * compressed stream is detected even after the end of the tar.
     *
     * @throws LayerException if the layer is malformed, truncated or hostile, or a file cannot be written
     */
    public ApplyResult apply(InputStream layer, Path root) throws LayerException {
        return apply(layer, root, null);
    }

    /**
     * As {@link #apply(InputStream, Path)}, with the entries' parent directories resolved (and made) by
     * {@code directories} instead of inside {@code root} alone.
     */
    public ApplyResult apply(InputStream layer, Path root, Directories directories) throws LayerException {
        Run run = new Run(new ConfinedRoot(root), posix.effectiveUid() == 0, keepOwners, directories);
        try (FileDataWriter files = run.files; InputStream in = Decompressors.open(layer, RatioLimit.DEFAULT)) {
            TarReader tar = new TarReader(in);
            Optional<TarEntry> next;
            while ((next = tar.next()).isPresent()) {
                run.apply(next.get(), tar);
            }
            in.transferTo(OutputStream.nullOutputStream());
            // Every file written and closed before the directories' modes and times, and before returning.
            files.finish();
            run.finishDirectories();
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot read layer (corrupted or truncated compressed stream?) "
                    + run.where() + ": " + Decompressors.reason(e), e);
        }
        return new ApplyResult(run.entries, run.contentBytes, run.warnings);
    }

    /** The state of one apply. */
    private final class Run {
        private final ConfinedRoot root;
        private final boolean privileged;
        /** Whether entries get their owners: as root, unless the caller keeps them all. */
        private final boolean chown;
        private final Set<Path> unpacked = new HashSet<>();
        /**
         * Parent directories resolved by {@link ConfinedRoot#resolveParent}, by the entry's parent components. A
         * resolution stays valid while nothing is removed: it went only through existing directories and symlinks,
         * and creating new entries cannot change those (replacing one deletes it first). So every removal clears
         * this, and consecutive entries of one directory (the usual tar order) resolve it once instead of one
         * lstat per component per entry. A directory entry of this layer adds itself (a real directory at the path
         * its parent resolved to), so in the usual order (a directory before its children) a new directory's
         * children resolve it without walking the root again, one lstat per component of its path.
         */
        private final Map<String, Path> resolvedParents = new HashMap<>();
        /**
         * Directories this apply created, empty at creation: a child path in one of them that this layer has not
         * written ({@link #unpacked}) cannot exist, so no lstat is needed before creating it (as tar -x, which
         * tries to create first).
         */
        private final Set<Path> createdDirectories = new HashSet<>();
        private final Map<Path, TarEntry> directories = new LinkedHashMap<>();
        private final List<String> warnings = new ArrayList<>();
        /** Whether anything was removed: until then, every directory in {@link #directories} is still one. */
        private boolean removedAny;
        private final byte[] copyBuffer = new byte[256 * 1024];
        /** Creates and writes regular files, beside this thread. */
        private final FileDataWriter files = new FileDataWriter(posix);
        /** Whether regular files are written through {@link PosixFiles#createFile}; false once it is unsupported. */
        private boolean nativeFiles = true;
        /**
         * Whether regular files are created by {@link #files} instead of here: once one file was created here (so
         * the binding can), and only when parents are resolved inside the root alone (a {@link Directories} resolver
         * may send entries through a tree whose symlinks this apply does not track).
         */
        private boolean deferCreates;
        private long entries;
        private long contentBytes;
        private String lastEntry;

        /** Resolves parent directories instead of {@link #root}; null: the root alone. */
        private final Directories parents;

        /**
         * Whether new entries may keep the owner they are created with when it is their entry's ({@link #ownUid},
         * {@link #ownGid}): the root was empty and without setgid, so every directory an entry is created in was
         * created by this apply, without setgid until {@link #finishDirectories}, and gives its new entries the
         * process's own user and group (a layer's entries are mostly root's: ~10,000 chown calls fewer for a
         * 300 MB layer).
         */
        private final boolean freshTree;
        /** The owner of the directories this apply creates, learnt from the first one (-1: not yet). */
        private int ownUid = -1;
        private int ownGid = -1;
        /** Directories chowned as their entry came (with xattrs): not left as created, whatever a later entry says. */
        private final Set<Path> chownedDirectories = new HashSet<>();

        Run(ConfinedRoot root, boolean privileged, boolean keepOwners, Directories directories) throws LayerException {
            this.root = root;
            this.parents = directories;
            this.privileged = privileged;
            this.chown = privileged && keepOwners;
            this.freshTree = chown && directories == null && emptyWithoutSetgid(root.root());
        }

        private boolean emptyWithoutSetgid(Path dir) throws LayerException {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                return !children.iterator().hasNext() && (posix.lstat(dir).mode() & S_ISGID) == 0;
            } catch (IOException | UnsupportedOperationException e) {
                return false; // Then every entry is chowned, as always.
            }
        }

        /** Learns the owner of new directories from {@code created}, the first one, when the tree is fresh. */
        private void learnOwner(Path created) throws LayerException {
            if (freshTree && ownUid < 0) {
                PosixStat stat = posix.lstat(created);
                ownUid = stat.uid();
                ownGid = stat.gid();
            }
        }

        /** Whether a new entry made in this apply's tree must be chowned to its entry's owner: not if it has it. */
        private boolean needsChown(TarEntry entry) {
            return chown && !(ownUid >= 0 && entry.uid() == ownUid && entry.gid() == ownGid);
        }

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

        private void applyEntry(TarEntry entry, TarReader tar) throws IOException {
            List<String> parts = ConfinedRoot.clean(entry.name(), "layer entry");
            if (parts.isEmpty()) {
                // The root itself: containerd ignores it, so the root's own mode and owner stay the caller's.
                return;
            }
            String base = parts.get(parts.size() - 1);
            if (base.startsWith(WHITEOUT_PREFIX)) {
                whiteout(entry, parts, base);
                return;
            }
            String parentKey = parentKey(parts);
            Path parent = parentOf(parentKey, parts, entry.name());
            Path path = parent.resolve(base);
            boolean written = unpacked.contains(path);
            if (written) {
                awaitFiles(); // A duplicate entry: this layer's file there may still be pending.
            }
            Optional<BasicFileAttributes> existing = createdDirectories.contains(parent) && !written
                    ? Optional.empty() : lstat(path);
            if (existing.isPresent() && !(existing.get().isDirectory() && entry.type() == TarEntryType.DIRECTORY)) {
                delete(path);
                directories.remove(path);
            }
            switch (entry.type()) {
                case DIRECTORY -> {
                    if (existing.isEmpty() || !existing.get().isDirectory()) {
                        Files.createDirectory(path);
                        learnOwner(path);
                        createdDirectories.add(path);
                        if (parents != null && existing.isEmpty()) {
                            parents.madeDirectory(path);
                        }
                    }
                    // A real directory (created here, or found by lstat, not a symlink) inside the root.
                    resolvedParents.put(parentKey.isEmpty() ? base : parentKey + "/" + base, path);
                }
                case REGULAR -> {
                    if (nativeFiles) {
                        try {
                            writeRegular(path, entry, tar);
                            markWritten(path, parent);
                            return;
                        } catch (UnsupportedOperationException e) {
                            nativeFiles = false; // Nothing was created; java.nio below, for this and later files.
                        }
                    }
                    try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        contentBytes += copy(tar.content(), out);
                    }
                }
                case SYMLINK -> {
                    if (entry.linkName().isEmpty() || entry.linkName().indexOf('\0') >= 0) {
                        throw new LayerException("layer entry " + entry.name() + " is a symlink with an empty or "
                                + "invalid target");
                    }
                    posix.symlink(entry.linkName(), path);
                    if (parents != null) {
                        // A resolution may have gone through a lower layer's entry at this path, which nothing
                        // here removed: the new symlink now decides where its children go.
                        resolvedParents.clear();
                    }
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
                    setLinkMetadata(path, Files.isSymbolicLink(target), entry);
                    markWritten(path, parent);
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
            markWritten(path, parent);
            setMetadata(path, entry);
        }

        /** The entry's parent directory, resolved inside the root (created if missing), cached until a removal. */
        private Path parentOf(String key, List<String> parts, String entryName) throws LayerException {
            Path parent = resolvedParents.get(key);
            if (parent == null) {
                awaitFiles(); // The walk lstats each component: none may be a file still pending.
                parent = parents != null ? resolveWith(parts.subList(0, parts.size() - 1), entryName)
                        : root.resolveParent(parts, true, entryName, createdDirectories::add);
                resolvedParents.put(key, parent);
            }
            return parent;
        }

        private Path resolveWith(List<String> parts, String entryName) throws LayerException {
            try {
                return parents.directory(parts, entryName);
            } catch (IOException e) {
                throw new LayerException("entry " + entryName + ": cannot resolve its directory: " + e.getMessage(),
                        e);
            }
        }

        /** Removes a file or tree; any cached resolution may have gone through it. */
        private void delete(Path path) throws IOException {
            awaitFiles(); // Pending files may be at the path or under it, resolved through it.
            resolvedParents.clear();
            removedAny = true;
            FileTrees.delete(path);
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
        private void writeRegular(Path path, TarEntry entry, TarReader tar) throws IOException {
            if (deferCreates && entry.xattrs().isEmpty()) {
                contentBytes += files.create(path, entry, needsChown(entry), tar.content());
                return;
            }
            NewFile created = posix.createFile(path, 0600);
            deferCreates = parents == null;
            // As for the deferred creates: a new file that already has its entry's owner is not chowned.
            boolean owner = needsChown(entry);
            if (entry.xattrs().isEmpty()) {
                // The file is the writer's now (closed by it, also if this fails); it never uses the path again.
                contentBytes += files.write(created, entry, owner, tar.content());
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
                setXattrs(path, entry);
                file.chmod(entry.mode());
                file.setTimes(entry.mtime(), 0);
            }
        }

        private void setMetadata(Path path, TarEntry entry) throws IOException {
            // Owner first: chown clears setuid/setgid bits and file capabilities, which come after it. A directory
            // without xattrs gets its owner at the end, with its mode (ownerAtTheEnd).
            if (chown && !ownerAtTheEnd(entry)) {
                posix.lchown(path, (int) entry.uid(), (int) entry.gid());
                if (entry.type() == TarEntryType.DIRECTORY) {
                    chownedDirectories.add(path);
                }
            }
            setXattrs(path, entry);
            if (entry.type() == TarEntryType.DIRECTORY) {
                directories.remove(path);
                directories.put(path, entry);
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
        private void setLinkMetadata(Path path, boolean toSymlink, TarEntry entry) throws IOException {
            if (chown) {
                posix.lchown(path, (int) entry.uid(), (int) entry.gid());
            }
            setXattrs(path, entry);
            if (!toSymlink) {
                chmod(path, entry.mode());
                posix.setTimes(path, entry.mtime(), 0);
            }
        }

        private void setXattrs(Path path, TarEntry entry) throws LayerException {
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

        private Path hardlinkTarget(TarEntry entry) throws IOException {
            List<String> target = ConfinedRoot.clean(entry.linkName(), "hard link target of " + entry.name() + ":");
            if (target.isEmpty()) {
                throw new LayerException("layer entry " + entry.name() + " is a hard link to the root directory");
            }
            Path parent = parents != null ? resolveWith(target.subList(0, target.size() - 1), entry.name())
                    : root.resolveParent(target, false, entry.name());
            Path source = parent == null ? null : parent.resolve(target.get(target.size() - 1));
            Optional<BasicFileAttributes> attrs = source == null ? Optional.empty() : lstat(source);
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

        private void whiteout(TarEntry entry, List<String> parts, String base) throws IOException {
            awaitFiles(); // It resolves, lists and removes paths where this layer's files may be pending.
            if (base.equals(OPAQUE_MARKER)) {
                Path dir = root.resolveDirectory(parts.subList(0, parts.size() - 1), true, entry.name());
                markWritten(dir);
                hideLowerContent(dir);
                return;
            }
            if (base.startsWith(WHITEOUT_META_PREFIX)) {
                // Other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs) carries nothing for an OCI layer.
                return;
            }
            String name = base.substring(WHITEOUT_PREFIX.length());
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw new LayerException("layer entry " + entry.name() + " is an invalid whiteout");
            }
            Path parent = root.resolveParent(parts, false, entry.name());
            if (parent != null) {
                Path target = parent.resolve(name);
                if (lstat(target).isPresent()) {
                    delete(target);
                }
            }
        }

        /**
         * Removes everything under {@code dir} that this layer has not written, keeping what it has (containerd's
         * {@code applyNaive} does the same walk), so the marker works wherever it comes in the layer.
         */
        private void hideLowerContent(Path dir) throws IOException {
            List<Path> children;
            try (Stream<Path> list = Files.list(dir)) {
                children = list.toList();
            }
            for (Path child : children) {
                if (!unpacked.contains(child)) {
                    delete(child);
                } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    hideLowerContent(child);
                }
            }
        }

        /**
         * Records {@code path}, a child of {@code parent}, and its ancestors as written by this layer: as
         * {@link #markWritten(Path)}, without making a parent path from {@code path} in the usual case, where the
         * parent is recorded already (this runs once per entry).
         */
        private void markWritten(Path path, Path parent) {
            // The root is never recorded, so a parent found recorded is not the root: the loop would stop there.
            if (unpacked.add(path) && !unpacked.contains(parent)) {
                markWritten(parent);
            }
        }

        /** Waits for the files {@link #files} still has to create, when it creates them. */
        private void awaitFiles() throws LayerException {
            if (deferCreates) {
                files.awaitAll();
            }
        }

        /** The entry's parent components joined by '/' ("" for a child of the root): its key in resolvedParents. */
        private static String parentKey(List<String> parts) {
            if (parts.size() == 1) {
                return "";
            }
            StringBuilder key = new StringBuilder(parts.get(0));
            for (int i = 1; i < parts.size() - 1; i++) {
                key.append('/').append(parts.get(i));
            }
            return key.toString();
        }

        /** Records {@code path} and its ancestors up to the root as written by this layer. */
        private void markWritten(Path path) {
            for (Path p = path; p != null && !p.equals(root.root()) && p.startsWith(root.root()); p = p.getParent()) {
                if (!unpacked.add(p)) {
                    break;
                }
            }
        }

        /**
         * Whether the directory {@code entry} gets its owner in {@link #finishDirectories}, with its mode and time:
         * when it has no xattrs (which must come after the owner, so those directories get it at once).
         */
        private boolean ownerAtTheEnd(TarEntry entry) {
            return entry.type() == TarEntryType.DIRECTORY && entry.xattrs().isEmpty();
        }

        /**
         * Sets the directories' owners (those left for the end), modes and times, now that nothing more is created
         * in them. With many directories, as root, half of them on a second thread: nothing orders them then (as
         * root no mode of a parent can block its children, and setting a directory's metadata does not change its
         * parent's time).
         */
        void finishDirectories() throws LayerException {
            List<Map.Entry<Path, TarEntry>> dirs = new ArrayList<>(directories.entrySet());
            if (!privileged || dirs.size() < PARALLEL_DIRECTORIES || Runtime.getRuntime().availableProcessors() < 2) {
                finishDirectories(dirs, 0, dirs.size());
                return;
            }
            int half = dirs.size() / 2;
            LayerException[] failure = new LayerException[1];
            Thread helper = new Thread(() -> {
                try {
                    finishDirectories(dirs, half, dirs.size());
                } catch (Throwable e) {
                    // Even an Error: reported by the applier's thread, never left to the default handler's printing.
                    failure[0] = e instanceof LayerException l ? l
                            : new LayerException("cannot set owner, mode and time of directories: " + e, e);
                }
            }, "wharf-layer-directories");
            helper.setDaemon(true);
            helper.start();
            try {
                finishDirectories(dirs, 0, half);
            } finally {
                // Its system calls must not outlive the apply (the caller may delete the tree next).
                Threads.joinUninterruptibly(helper);
            }
            if (failure[0] != null) { // Seen after join: the helper's write happens-before the join's return.
                throw new LayerException(failure[0].getMessage(), failure[0]);
            }
        }

        /** Finishes {@code dirs[from, to)}, children before parents: a read-only parent cannot block its children. */
        private void finishDirectories(List<Map.Entry<Path, TarEntry>> dirs, int from, int to)
                throws LayerException {
            for (int i = to - 1; i >= from; i--) {
                Path path = dirs.get(i).getKey();
                TarEntry entry = dirs.get(i).getValue();
                try {
                    // Only a removal (of it or of an ancestor) can have turned a directory of this list into
                    // something else or nothing: replacing an entry always removes it first.
                    if (removedAny && lstat(path).filter(BasicFileAttributes::isDirectory).isEmpty()) {
                        continue;
                    }
                    // Owner first: chown clears setuid/setgid bits, which the mode sets after it.
                    if (ownerAtTheEnd(entry) && (needsChown(entry) || chownedDirectories.contains(path))) {
                        posix.lchown(path, (int) entry.uid(), (int) entry.gid());
                    }
                    chmod(path, entry.mode());
                    posix.setTimes(path, entry.mtime(), 0);
                } catch (IOException e) {
                    throw new LayerException("cannot set owner, mode and time of layer entry " + entry.name() + ": "
                            + e.getMessage(), e);
                }
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

    private static Optional<BasicFileAttributes> lstat(Path path) throws IOException {
        try {
            return Optional.of(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
