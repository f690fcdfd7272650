package dev.wharf.builder.exec;

import dev.wharf.builder.snapshot.RootView;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.NewFile;
import dev.wharf.layers.posix.PosixCallException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.PosixStat;
import dev.wharf.layers.posix.ReadableFile;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Writes files into an active snapshot without mounting it: into its writable directory (an overlay upper
 * directory or a copy-based snapshot's tree), resolving paths through the merged view ({@link RootView}) so symlinks
 * in the image are followed inside the root only. Missing parent directories are created: copied up with their
 * attributes when a lower layer has them, otherwise with mode 0755 (or the one given), the given owner and time
 * (fsutil's {@code MkdirAll} as BuildKit's file operations call it). A lower directory the step creates, replaces
 * or unpacks an entry in takes the step's time, as the kernel dates a directory whose entries change: BuildKit's
 * layer then carries it with that time (COPY f /etc/, a WORKDIR made in /home), while one it only passes through
 * keeps the lower time overlayfs's copy-up gave it. Like the kernel's mkdir(2) there, a directory
 * made in a set-group-ID directory keeps that bit and, when no owner was given, the parent's group
 * ({@link #madeBelow}).
 *
 * <p>Not thread-safe: one instance per step, except that {@link #copyFile} may run on other threads at the same time
 * (for distinct targets). Call {@link #finish()} last: it sets directory times, which writing children changed.
 */
final class FileWriter {
    /** Owner and mode bits of one written path. */
    record Attributes(int uid, int gid, int mode, long mtimeNanos) {
    }

    private final Path upper;
    private final RootView view;
    private final PosixFiles posix;
    private final int defaultUid;
    private final int defaultGid;
    private final long createdNanos;
    private final int createdDirMode;
    /** Whether the default owner was asked for (--chown, USER): BuildKit then chowns what it makes. */
    private final boolean ownerGiven;
    private static final int S_ISGID = 02000;
    private static final int COPY_BUFFER = 256 * 1024;

    private final List<Map.Entry<Path, Long>> dirTimes = new ArrayList<>();
    /** Directories copied up from a lower layer whose time no source gives: they keep it unless written into. */
    private final Set<Path> lowerCopies = new HashSet<>();
    /** Directories an entry was created in (or replaced, or unpacked into) by this step. */
    private final Set<Path> writtenInto = new HashSet<>();
    /** Whether files are created through {@link PosixFiles#createFile}; false once the binding lacks it. */
    private volatile boolean nativeFiles = true;
    /** Whether sources are read through {@link PosixFiles#openForReading}; false once the binding lacks it. */
    private volatile boolean nativeReads = true;
    /** Whether an open source can be {@link ReadableFile#stat}ed; false once the binding lacks it. */
    private volatile boolean nativeStats = true;
    /** Per thread: {@link #copyFile} runs on several. */
    private final ThreadLocal<byte[]> copyBuffers = ThreadLocal.withInitial(() -> new byte[COPY_BUFFER]);
    /** Parent directories asked for by {@link #prepare}, made, with the host directory they resolved to. */
    private final Map<String, Path> preparedParents = new HashMap<>();

    /**
     * A writer whose default owner {@code defaultUid:defaultGid} was given ({@code ownerGiven}: --chown, a USER)
     * or is root's by default, creating missing directories with mode {@code createdDirMode} (COPY's octal
     * --chmod).
     */
    FileWriter(Path upper, RootView view, PosixFiles posix, int defaultUid, int defaultGid, boolean ownerGiven,
               long createdNanos, int createdDirMode) {
        this.createdDirMode = createdDirMode;
        this.ownerGiven = ownerGiven;
        this.upper = upper;
        this.view = view;
        this.posix = posix;
        this.defaultUid = defaultUid;
        this.defaultGid = defaultGid;
        this.createdNanos = createdNanos;
    }

    /** The host path that {@code absolutePath} is written to, its parent directories made. */
    Path prepare(String absolutePath) throws IOException, LayerException {
        String clean = withoutTrailingSlashes(absolutePath);
        int slash = clean.lastIndexOf('/');
        String asked = slash <= 0 ? "/" : clean.substring(0, slash);
        // Resolving a parent (a stat, an xattr read for overlay opacity and a lower-layer lookup per component) was
        // a dozen system calls per file of a large COPY, always with the same answer for the files of one
        // directory: it is remembered until this writer makes a symlink, the only entry that could change it.
        Path parentDir = preparedParents.get(asked);
        if (parentDir == null) {
            String parent = asked.equals("/") ? "/" : view.canonical(asked);
            mkdirs(parent);
            parentDir = parent.equals("/") ? upper : upper.resolve(parent.substring(1));
            preparedParents.put(asked, parentDir);
            writtenInto.add(parentDir);
        }
        return parentDir.resolve(clean.substring(slash + 1));
    }

    /** {@code path} without its trailing slashes (a regular expression here cost a pattern compile per file). */
    static String withoutTrailingSlashes(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }

    /**
     * Creates {@code absolutePath} and its parents as directories (WORKDIR), owned by the default owner; returns
     * the host directory.
     */
    Path mkdirAll(String absolutePath) throws IOException, LayerException {
        return mkdirAll(absolutePath, createdDirMode);
    }

    /** As {@link #mkdirAll(String)}, making missing directories with {@code mode} instead of --chmod's. */
    Path mkdirAll(String absolutePath, int mode) throws IOException, LayerException {
        String canonical = view.canonical(absolutePath);
        mkdirs(canonical, mode);
        return canonical.equals("/") ? upper : upper.resolve(canonical.substring(1));
    }

    /**
     * WORKDIR: creates {@code absolutePath} and its missing parents, owned by the default owner; an existing
     * directory is left alone, not even copied up, so the step's layer stays empty, as with BuildKit's
     * {@code MkdirAll} (fsutil copy/mkdir.go returns at once for an existing directory).
     */
    void workdir(String absolutePath) throws IOException, LayerException {
        // The file op cleans the path lexically first (filepath.Join("/", path) in BuildKit's mkdir), so WORKDIR
        // /a/./x/../y makes no /a/x, although the image's WorkingDir keeps the path as written.
        String canonical = view.canonical(Path.of(absolutePath).normalize().toString());
        Optional<Path> existing = view.find(canonical);
        if (existing.isPresent() && Files.isDirectory(existing.get(), LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // BuildKit resolves the path first (continuity's fs.RootPath, an lstat per component), and a component
        // below a file fails that lstat with ENOTDIR: WORKDIR /f/sub with /f a file is "lstat /f/sub: not a
        // directory" (buildx 0.13.1), before MkdirAll's "mkdir /f: not a directory" could be reached.
        int slash = canonical.indexOf('/', 1);
        while (slash > 0) {
            Optional<Path> parent = view.find(canonical.substring(0, slash));
            if (parent.isPresent() && !Files.isDirectory(parent.get())) {
                int next = canonical.indexOf('/', slash + 1);
                throw new IOException("lstat " + canonical.substring(0, next < 0 ? canonical.length() : next)
                        + ": not a directory");
            }
            slash = canonical.indexOf('/', slash + 1);
        }
        mkdirs(canonical);
    }

    /**
     * The host directory for the entries under {@code parts} of an archive that ADD unpacks into
     * {@code destCanonical}: resolved in the merged view with the destination as its root (BuildKit extracts with
     * go-archive's chrootarchive into the destination, solver/llbsolver/file/unpack.go, so the kernel follows a lower
     * layer's symlinks, such as /var/run -> /run, inside it), lower directories copied up, missing ones made 0755 and
     * owned by root (go-archive's MkdirAllNewAs with the root identity, whatever --chown says).
     */
    Path archiveDirectory(String destCanonical, java.util.List<String> parts) throws IOException, LayerException {
        String canonical = parts.isEmpty() ? destCanonical : view.canonicalWithin(destCanonical, parts);
        mkdirs(canonical, 0755, 0, 0, true);
        Path dir = canonical.equals("/") ? upper : upper.resolve(canonical.substring(1));
        writtenInto.add(dir);
        return dir;
    }

    private void mkdirs(String canonicalDir) throws IOException, LayerException {
        mkdirs(canonicalDir, createdDirMode);
    }

    private void mkdirs(String canonicalDir, int createdMode) throws IOException, LayerException {
        mkdirs(canonicalDir, createdMode, defaultUid, defaultGid, ownerGiven);
    }

    private void mkdirs(String canonicalDir, int createdMode, int uid, int gid, boolean chowned)
            throws IOException, LayerException {
        if (canonicalDir.equals("/")) {
            return;
        }
        StringBuilder prefix = new StringBuilder();
        for (String part : canonicalDir.substring(1).split("/")) {
            prefix.append('/').append(part);
            Path host = upper.resolve(prefix.substring(1));
            if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Optional<Path> lower = view.find(prefix.toString());
            if (lower.isPresent() && !Files.isDirectory(lower.get())) {
                // fsutil's MkdirAll stops at a path that exists and is no directory (ENOTDIR), which BuildKit
                // reports with the root trimmed (file/backend.go): COPY x /etc/passwd/y, WORKDIR /etc/passwd.
                throw new IOException("mkdir " + prefix + ": not a directory");
            }
            Files.deleteIfExists(host);
            Files.createDirectory(host);
            if (lower.isPresent() && Files.isDirectory(lower.get()) && !lower.get().equals(host)) {
                Map<String, Object> a = Files.readAttributes(lower.get(), "unix:mode,uid,gid,lastModifiedTime");
                apply(host, new Attributes((Integer) a.get("uid"), (Integer) a.get("gid"),
                        (Integer) a.get("mode") & 07777,
                        ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS)));
                lowerCopies.add(host);
            } else {
                apply(host, madeBelow(host.getParent(), uid, gid, createdMode, chowned));
                writtenInto.add(host.getParent());
            }
        }
    }

    /**
     * The attributes of a directory BuildKit makes in {@code parent} with {@code mode} (fsutil's MkdirAll: os.Mkdir
     * under buildkitd's zero umask, no chmod after it, then a chown only when a user was given): mkdir(2) in a
     * set-group-ID directory sets that bit on the new one and gives it the parent's group, which a chown to a given
     * owner replaces and a chown of a directory leaves the bit of. A shared directory made {@code chmod 2775} (or
     * a home an adduser made so) thus passes the bit to every WORKDIR and COPY destination made below it.
     */
    private Attributes madeBelow(Path parent, int uid, int gid, int mode, boolean chowned) throws IOException {
        if (parent.equals(upper)) {
            // The upper directory's own root is the store's directory, not the image's /: a store under a
            // set-group-ID directory gives it the host's bit and group, which no image directory may inherit. An
            // image's / carries no set-group-ID bit (BuildKit's scratch is 0755 root; a base's is what its tar said,
            // and a bit there is taken as not worth a lower lookup per top-level directory).
            return new Attributes(uid, gid, mode, createdNanos);
        }
        Map<String, Object> p = Files.readAttributes(parent, "unix:mode,gid", LinkOption.NOFOLLOW_LINKS);
        if (((Integer) p.get("mode") & S_ISGID) == 0) {
            return new Attributes(uid, gid, mode, createdNanos);
        }
        return new Attributes(uid, chowned ? gid : (Integer) p.get("gid"), mode | S_ISGID, createdNanos);
    }

    /**
     * Copies a regular file's content to {@code target}, replacing what is there; returns the number of bytes
     * copied and, through the binding, the source's own stat once read ({@link SourceChanges}). Owner, mode and time are set on the open descriptor (fchown, fchmod, futimens): a COPY of 10,000 small
     * files made ~17 system calls per file through java.nio (existence checks, an open each for the mode and the
     * time, a stat to tell directories), now ~9. Safe to call from several threads at once for distinct targets
     * whose directories exist.
     */
    Copied copyFile(Path source, Path target, Attributes attributes) throws IOException, LayerException {
        NewFile out = nativeFiles ? create(target) : null;
        if (out == null) {
            deleteNonDirectory(target);
            Files.copy(source, target, LinkOption.NOFOLLOW_LINKS);
            apply(target, attributes);
            return new Copied(Files.size(target), Optional.empty());
        }
        try (NewFile file = out) {
            ReadableFile in = nativeReads ? openSource(source) : null;
            if (in == null) {
                return new Copied(copyThroughChannel(source, file, attributes), Optional.empty());
            }
            try (in) {
                // Through the binding: one call copies the content between the two descriptors (in C with the JNI
                // library), and the source's fstat replaces a path lookup (an lstat) per file for the check that
                // it did not change (SourceChanges). A 10,000-file COPY made some 30,000 fewer Java-to-C crossings
                // and 10,000 fewer path walks, and copied no content through Java arrays.
                long copied = file.copyFrom(in, copyBuffers.get());
                setAttributes(file, attributes);
                return new Copied(copied, sourceStat(in));
            }
        }
    }

    /** The bytes of a file copy and, when the binding could fstat it, what the source read looked like after it. */
    record Copied(long bytes, Optional<PosixStat> source) {
    }

    /** The content through a java.nio channel, where the binding cannot open files for reading. */
    private long copyThroughChannel(Path source, NewFile file, Attributes attributes) throws IOException {
        long copied = 0;
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] copyBuffer = copyBuffers.get();
            ByteBuffer buffer = ByteBuffer.wrap(copyBuffer);
            int n;
            while ((n = in.read(buffer.clear())) >= 0) {
                file.write(copyBuffer, 0, n);
                copied += n;
            }
            setAttributes(file, attributes);
        }
        return copied;
    }

    private static void setAttributes(NewFile file, Attributes attributes) throws PosixCallException {
        // Owner first: chown clears the set-id bits the mode may set.
        file.chown(attributes.uid(), attributes.gid());
        file.chmod(attributes.mode() & 07777);
        file.setTimes(attributes.mtimeNanos() / 1_000_000_000L, (int) (attributes.mtimeNanos() % 1_000_000_000L));
    }

    /**
     * {@code source} open for reading through the binding, without following a symlink; null once the binding cannot
     * (java.nio then). Failures are java.nio's exceptions, as the channel this replaces threw them.
     */
    private ReadableFile openSource(Path source) throws IOException {
        try {
            return posix.openForReading(source);
        } catch (UnsupportedOperationException e) {
            nativeReads = false;
            return null;
        } catch (PosixCallException e) {
            throw switch (e.errno()) {
                case PosixCallException.ENOENT -> new NoSuchFileException(source.toString());
                case PosixCallException.EACCES -> new AccessDeniedException(source.toString());
                default -> new FileSystemException(source.toString(), null, e.getMessage());
            };
        }
    }

    /** The open source's fstat, or empty where the binding has none (the check then looks the path up). */
    private Optional<PosixStat> sourceStat(ReadableFile in) throws LayerException {
        if (!nativeStats) {
            return Optional.empty();
        }
        try {
            return Optional.of(in.stat());
        } catch (UnsupportedOperationException e) {
            nativeStats = false;
            return Optional.empty();
        }
    }

    /** {@code target} created empty (0600 until its mode is set), replacing a non-directory; null: no binding. */
    private NewFile create(Path target) throws IOException, LayerException {
        try {
            return posix.createFile(target, 0600);
        } catch (PosixCallException e) {
            if (e.errno() != PosixCallException.EEXIST) {
                throw e;
            }
            deleteNonDirectory(target);
            return posix.createFile(target, 0600);
        } catch (UnsupportedOperationException e) {
            nativeFiles = false;
            return null;
        }
    }

    /** Writes {@code content} to {@code target}, replacing what is there. */
    void writeFile(byte[] content, Path target, Attributes attributes) throws IOException, LayerException {
        deleteNonDirectory(target);
        Files.write(target, content);
        apply(target, attributes);
    }

    /**
     * The root of a directory copy, {@code absolutePath}: an existing directory keeps its owner and mode, a missing
     * one is created like a parent, with the writer's owner and mode, not the source directory's: fsutil's
     * {@code Copy} makes it with {@code MkdirAll} and then copies no file info onto it ({@code copyFileInfo =
     * created}, false there). Either way it then takes the source directory's modification time
     * ({@code sourceMtimeNanos}): fsutil's copier "restores" the timestamp of a directory it did not create from the
     * source's stat ({@code restoreFileTimestamp}, copy.go), so the directory is part of the step's layer even when
     * nothing is copied into it.
     */
    void copyRoot(String absolutePath, long sourceMtimeNanos) throws IOException, LayerException {
        if (absolutePath.equals("/")) {
            return;
        }
        Optional<Path> existing = view.find(absolutePath);
        Path target;
        if (existing.isPresent() && Files.isDirectory(existing.get())) {
            target = mkdirAll(absolutePath);
        } else {
            target = prepare(absolutePath);
            deleteNonDirectory(target);
            Files.createDirectory(target);
            apply(target, madeBelow(target.getParent(), defaultUid, defaultGid, createdDirMode, ownerGiven));
        }
        dirTimes.removeIf(e -> e.getKey().equals(target));
        lowerCopies.remove(target);
        Files.setLastModifiedTime(target, FileTime.from(sourceMtimeNanos, TimeUnit.NANOSECONDS));
        dirTimes.add(Map.entry(target, sourceMtimeNanos));
    }

    /** Makes {@code target} a directory with {@code attributes}; an existing directory keeps its contents. */
    void directory(Path target, Attributes attributes) throws IOException, LayerException {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            deleteNonDirectory(target);
            Files.createDirectory(target);
        }
        lowerCopies.remove(target);
        apply(target, attributes);
    }

    /** Makes {@code target} a symlink to {@code linkTarget}. */
    void symlink(String linkTarget, Path target, Attributes attributes) throws IOException, LayerException {
        preparedParents.clear();
        deleteNonDirectory(target);
        posix.symlink(linkTarget, target);
        posix.lchown(target, attributes.uid(), attributes.gid());
        posix.setTimes(target, attributes.mtimeNanos() / 1_000_000_000L,
                (int) (attributes.mtimeNanos() % 1_000_000_000L));
    }

    /** Makes {@code target} a fifo or device node of {@code typeAndMode} (the st_mode) and {@code rdev}. */
    void special(Path target, int typeAndMode, long rdev, Attributes attributes) throws IOException, LayerException {
        deleteNonDirectory(target);
        posix.mknod(target, typeAndMode, rdev);
        // Not apply(): Java sets times, and a NOFOLLOW mode, by opening the file, which blocks on a fifo without a
        // writer; the plain (following) chmod is a chmod(2) of the node just made (as in LayerApplier).
        posix.lchown(target, attributes.uid(), attributes.gid());
        Files.setAttribute(target, "unix:mode", attributes.mode() & 07777);
        posix.setTimes(target, attributes.mtimeNanos() / 1_000_000_000L,
                (int) (attributes.mtimeNanos() % 1_000_000_000L));
    }

    /** Makes {@code target} a hard link to the already written {@code existing}. */
    void hardlink(Path existing, Path target) throws IOException {
        deleteNonDirectory(target);
        Files.createLink(target, existing);
    }

    /**
     * Sets the times of the directories written, deepest first, since writing into them changed them: a lower
     * directory written into gets the step's time, any other its own ({@link FileWriter}).
     */
    void finish() throws IOException {
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            Path dir = dirTimes.get(i).getKey();
            long nanos = lowerCopies.contains(dir) && writtenInto.contains(dir)
                    ? createdNanos : dirTimes.get(i).getValue();
            Files.setLastModifiedTime(dir, FileTime.from(nanos, TimeUnit.NANOSECONDS));
        }
    }

    private void apply(Path target, Attributes attributes) throws IOException, LayerException {
        posix.lchown(target, attributes.uid(), attributes.gid());
        Files.setAttribute(target, "unix:mode", attributes.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
        FileTime time = FileTime.from(attributes.mtimeNanos(), TimeUnit.NANOSECONDS);
        Files.setLastModifiedTime(target, time);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            dirTimes.add(Map.entry(target, attributes.mtimeNanos()));
        }
    }

    private static void deleteNonDirectory(Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(target);
        }
    }
}
