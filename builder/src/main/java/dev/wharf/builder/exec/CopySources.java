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
import java.nio.file.Path;
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
    private final Path root;
    private final Optional<Path> dockerfile;
    private final boolean context;
    private final boolean ignoreFile;
    private final Clock clock;
    private final ChecksumCache checksums;
    private volatile SourceResolver resolver;
    private volatile ContextSnapshot snapshot;

    private CopySources(Path root, Optional<Path> dockerfile, boolean context, boolean ignoreFile, Clock clock,
                        ChecksumCache checksums) {
        this.root = root;
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

    /** Another stage's root filesystem, materialized at {@code dir}. */
    static CopySources stage(Path dir, Clock clock) {
        return new CopySources(dir, Optional.empty(), false, false, clock, ChecksumCache.inMemory(100_000));
    }

    /** The files {@code request} copies and their checksum. */
    FileSet resolve(CopyRequest request, DestinationView destination) throws ContextException {
        return resolver().resolve(request, destination);
    }

    /** The content checksum of {@code request}'s sources (the step's cache key part). */
    dev.wharf.context.checksum.Digest checksum(CopyRequest request) throws ContextException {
        return resolver().checksum(request);
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

    /** The host file behind {@code sourcePath}, if it exists. */
    Optional<Path> find(String sourcePath) throws ContextException {
        resolver();
        return snapshot.file("/" + sourcePath);
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
                    PatternMatcher excludes = PatternMatcher.of(ignoreFile
                            ? DockerIgnore.patterns(root, dockerfile) : java.util.List.of());
                    snapshot = ContextSnapshot.scan(root, excludes, checksums);
                    resolver = new SourceResolver(snapshot, new ContextChecksummer(checksums, context, clock),
                            context ? "context" : "stage");
                }
                r = resolver;
            }
        }
        return r;
    }
}
