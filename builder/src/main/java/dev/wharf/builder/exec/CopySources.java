package dev.wharf.builder.exec;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ChecksumCache;
import dev.wharf.context.checksum.ContextChecksummer;
import dev.wharf.context.checksum.ContextSnapshot;
import dev.wharf.context.ignore.DockerIgnore;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.source.CopyRequest;
import dev.wharf.context.source.DestinationView;
import dev.wharf.context.source.FileSet;
import dev.wharf.context.source.SourceResolver;
import dev.wharf.context.walk.FileStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Optional;

/**
 * A directory COPY and ADD read from: the build context (after {@code .dockerignore}, owners reset to 0 as
 * BuildKit's client sends a local context) or another stage's root filesystem (owners kept). Scanned once, on first
 * use.
 *
 * <p>Thread-safe.
 */
final class CopySources {
    /** Makes the directory on first use (a named git context's clone). */
    @FunctionalInterface
    interface Opener {
        Path open() throws ContextException;
    }

    private final Opener opener;
    private volatile Path root;
    private final Optional<GitChecksums.Scope> memo;
    private final Optional<Path> dockerfile;
    private final boolean context;
    private final boolean ignoreFile;
    private final Clock clock;
    private final ChecksumCache checksums;
    private volatile SourceResolver resolver;
    private volatile ContextSnapshot snapshot;
    private volatile boolean filtered;

    private CopySources(Path root, Optional<Path> dockerfile, boolean context, boolean ignoreFile, Clock clock,
                        ChecksumCache checksums) {
        this(() -> root, Optional.empty(), dockerfile, context, ignoreFile, clock, checksums);
        this.root = root;
    }

    private CopySources(Opener opener, Optional<GitChecksums.Scope> memo, Optional<Path> dockerfile, boolean context,
                        boolean ignoreFile, Clock clock, ChecksumCache checksums) {
        this.opener = opener;
        this.memo = memo;
        this.dockerfile = dockerfile;
        this.context = context;
        this.ignoreFile = ignoreFile;
        this.clock = clock;
        this.checksums = checksums;
    }

    /**
     * The build context at {@code dir}; for a local directory ({@code ignoreFile}) without the files of the ignore
     * file next to {@code dockerfile} or in the context, which BuildKit applies to local contexts only. File digests
     * come from {@code checksums} while a file's stat data is unchanged.
     */
    static CopySources context(Path dir, boolean ignoreFile, Optional<Path> dockerfile, Clock clock,
                               ChecksumCache checksums) {
        return new CopySources(dir, dockerfile, true, ignoreFile, clock, checksums);
    }

    /** A build context whose file digests are kept for this build only (named contexts). */
    static CopySources context(Path dir, boolean ignoreFile, Optional<Path> dockerfile, Clock clock) {
        return context(dir, ignoreFile, dockerfile, clock, ChecksumCache.inMemory(100_000));
    }

    /**
     * A named git context, cloned by {@code opener} only when a step needs its files: a copy whose checksum
     * {@code memo} remembers from an earlier build of the same commit is keyed without a clone, as BuildKit keys it
     * on the git source's commit before it fetches anything.
     */
    static CopySources gitContext(Opener opener, GitChecksums.Scope memo, Clock clock) {
        return new CopySources(opener, Optional.of(memo), Optional.empty(), true, false, clock,
                ChecksumCache.inMemory(100_000));
    }

    /**
     * An image's root filesystem, made by {@code opener} (its layers pulled and unpacked) only when a step needs its
     * files: a copy whose checksum {@code memo} remembers from an earlier build of the same layers is keyed without
     * them, as BuildKit keys a copy from an image on the image source's key while its refs stay lazy.
     */
    static CopySources lazyImage(Opener opener, GitChecksums.Scope memo, Clock clock) {
        return new CopySources(opener, Optional.of(memo), Optional.empty(), false, false, clock,
                ChecksumCache.inMemory(100_000));
    }

    /** Another stage's root filesystem, materialized at {@code dir}. */
    static CopySources stage(Path dir, Clock clock) {
        return new CopySources(dir, Optional.empty(), false, false, clock, ChecksumCache.inMemory(100_000));
    }

    /**
     * A directory the build fetched at {@code dir} (an ADD's git checkout), read as another stage's files; its root,
     * as every source's, is as new as the build: BuildKit copies the root of the checkout it just made.
     */
    static CopySources fetched(Path dir, Clock clock) {
        return stage(dir, clock);
    }

    /** The files {@code request} copies and their checksum. */
    FileSet resolve(CopyRequest request, DestinationView destination) throws ContextException {
        return resolver().resolve(request, destination);
    }

    /** The content checksum of {@code request}'s sources (the step's cache key part). */
    dev.wharf.context.checksum.Digest checksum(CopyRequest request) throws ContextException {
        if (memo.isEmpty()) {
            return resolver().checksum(request);
        }
        Optional<dev.wharf.layers.Digest> known = memo.get().lookup(request);
        if (known.isPresent()) {
            return dev.wharf.context.checksum.Digest.parse(known.get().toString());
        }
        dev.wharf.context.checksum.Digest computed = resolver().checksum(request);
        try {
            memo.get().remember(request, dev.wharf.layers.Digest.parse(computed.toString()));
        } catch (IOException e) {
            // Not remembered: the next build of this commit clones again to key the copy.
        }
        return computed;
    }

    /** The directory, made now if it is a lazy one. */
    private Path root() throws ContextException {
        Path r = root;
        if (r == null) {
            synchronized (this) {
                if (root == null) {
                    root = opener.open();
                }
                r = root;
            }
        }
        return r;
    }

    /** Hands each file {@code request} copies to {@code sink} as it is resolved, keeping none. */
    <E extends Exception> void forEach(CopyRequest request, DestinationView destination,
                                       SourceResolver.EntrySink<E> sink) throws ContextException, E {
        resolver().forEach(request, destination, sink);
    }

    /** The host file behind a source path of a resolved entry. */
    Path file(String sourcePath) throws ContextException {
        resolver();
        return snapshot.file("/" + sourcePath).orElseThrow(() -> new ContextException(
                "file " + sourcePath + " vanished from the build context while copying"));
    }

    /**
     * {@code sourcePath} (relative, no leading slash) with every symlink on it followed inside this source, the
     * last component's too, as BuildKit resolves a RUN mount's {@code source} (its selector goes through
     * containerd's fs.RootPath, executor/oci/spec.go subMount): absolute link targets restart at this source's
     * root and ".." never climbs above it, so a mount never reaches a file outside the context or stage. Returned
     * in the same relative form ({@code ""} for the root).
     */
    String followLinks(String sourcePath) throws ContextException {
        resolver();
        return snapshot.resolve("/" + sourcePath, true).substring(1);
    }

    /** The host file behind {@code sourcePath}, if it exists. */
    Optional<Path> find(String sourcePath) throws ContextException {
        resolver();
        return snapshot.file("/" + sourcePath);
    }

    /**
     * True when the ignore file leaves out something under {@code dir} (the {@link #file} of a directory of the
     * scan): a walk of the directory that stops at its first entry the scan does not hold; false at once without
     * ignore patterns.
     */
    boolean excludesUnder(Path dir) throws ContextException, IOException {
        resolver();
        if (!filtered) {
            return false;
        }
        boolean[] found = {false};
        Path base = root();
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d,
                    java.nio.file.attribute.BasicFileAttributes attrs) {
                return visit(d);
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes attrs) {
                return visit(f);
            }

            private java.nio.file.FileVisitResult visit(Path p) {
                if (snapshot.lstat("/" + base.relativize(p)).isEmpty()) {
                    found[0] = true;
                    return java.nio.file.FileVisitResult.TERMINATE;
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return found[0];
    }

    /**
     * Recreates at {@code to} what the scan holds under {@code sourcePath}: the directory's tree without what the
     * ignore file excludes (directories, symlinks and copies of regular files, with their modes and times; FIFOs,
     * sockets and devices left out). Copies, not hard links to the context: a link would change the context files'
     * link count and ctime, which the checksum cache and a later COPY take for a change; but context files that are
     * hard links of each other are copied once and linked among the copies, as BuildKit's client sends them.
     */
    void copyTree(String sourcePath, Path to) throws ContextException, IOException {
        resolver();
        copyEntry("/" + sourcePath, to, new java.util.HashMap<>());
    }

    private void copyEntry(String abs, Path to, java.util.Map<String, Path> copiedInodes)
            throws ContextException, IOException {
        if (Thread.currentThread().isInterrupted()) {
            // A cancelled build stops here rather than copying the rest of a large context first; the flag stays
            // set, and BuildExecutor.cancelledBy reads this as the cancel.
            throw new java.io.InterruptedIOException("cancelled while copying " + abs + " for a bind mount");
        }
        FileStat stat = snapshot.lstat(abs).orElseThrow(() -> new ContextException(
                "file " + abs + " vanished from the build context while copying"));
        Path from = snapshot.file(abs).orElseThrow();
        switch (stat.type()) {
            case DIRECTORY -> {
                Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                String prefix = abs.endsWith("/") ? abs : abs + "/";
                for (String child : snapshot.children(abs)) {
                    copyEntry(prefix + child, to.resolve(child), copiedInodes);
                }
                Files.setLastModifiedTime(to, Files.getLastModifiedTime(from, LinkOption.NOFOLLOW_LINKS));
            }
            case REGULAR -> {
                Path first = stat.nlink() > 1 ? copiedInodes.get(stat.device() + ":" + stat.inode()) : null;
                if (first != null) {
                    Files.createLink(to, first);
                } else {
                    Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                    if (stat.nlink() > 1) {
                        copiedInodes.put(stat.device() + ":" + stat.inode(), to);
                    }
                }
            }
            case SYMLINK -> Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            default -> {
                // FIFOs, sockets and devices: nothing a RUN could read from a bind mount of the context.
            }
        }
    }

    /**
     * True when this is the build context and something at or under {@code sourcePath} (relative, no leading slash;
     * the host directory behind the context root included) is not owned by 0:0. BuildKit's client sends a local
     * context with every owner reset to 0:0 (client/solve.go, {@code resetUIDAndGID}), so a RUN bind mount of it
     * shows root-owned files whoever owns the checkout; wharf then binds a copy with the owners reset.
     */
    boolean ownedByOthersUnder(String sourcePath) throws ContextException, IOException {
        resolver();
        if (!context) {
            return false;
        }
        String abs = "/" + sourcePath;
        Optional<Path> host = snapshot.file(abs);
        if (host.isPresent() && ((Integer) Files.getAttribute(host.get(), "unix:uid", LinkOption.NOFOLLOW_LINKS) != 0
                || (Integer) Files.getAttribute(host.get(), "unix:gid", LinkOption.NOFOLLOW_LINKS) != 0)) {
            return true;
        }
        return ownedByOthers(abs);
    }

    private boolean ownedByOthers(String abs) {
        Optional<FileStat> stat = snapshot.lstat(abs);
        if (stat.isEmpty()) {
            return false;
        }
        if (stat.get().uid() != 0 || stat.get().gid() != 0) {
            return true;
        }
        if (stat.get().type() == dev.wharf.context.walk.FileType.DIRECTORY) {
            String prefix = abs.endsWith("/") ? abs : abs + "/";
            for (String child : snapshot.children(abs)) {
                if (ownedByOthers(prefix + child)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The scan of the directory the steps read, made now if no step has read it yet: the one walk of the context a
     * build makes, shared with the context's transfer count ({@link ContextTransfer}).
     */
    ContextSnapshot snapshot() throws ContextException {
        resolver();
        return snapshot;
    }

    /** True for the build context, whose owners are reset to 0:0. */
    boolean isContext() {
        return context;
    }

    private SourceResolver resolver() throws ContextException {
        SourceResolver r = resolver;
        if (r == null) {
            synchronized (this) {
                if (resolver == null) {
                    Path dir = root();
                    java.util.List<String> patterns = ignoreFile ? DockerIgnore.patterns(dir, dockerfile)
                            : java.util.List.of();
                    filtered = !patterns.isEmpty();
                    PatternMatcher excludes = PatternMatcher.of(patterns);
                    snapshot = ContextSnapshot.scan(dir, excludes, checksums);
                    resolver = new SourceResolver(snapshot, new ContextChecksummer(checksums, context, clock),
                            context ? "context" : "stage");
                }
                r = resolver;
            }
        }
        return r;
    }
}
