package dev.wharf.builder.exec;

import dev.wharf.context.source.CopyRequest;
import dev.wharf.context.sources.GitContextSource;
import dev.wharf.context.sources.GitRemote;
import dev.wharf.layers.Digest;
import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The content checksums of earlier {@code ADD <git url>} and named git context checkouts, by their git source's key (the commit and the
 * options that change the checkout, as BuildKit's {@code shaToCacheKey}): one small file per key under {@code
 * <store>/git-checksums/}. An ADD's cache key is the content of what it copies, so that a branch that moved without
 * changing those files is still a cache hit, as BuildKit's content-based key of the copy makes it; this memo is
 * BuildKit's other key, the git source's own, which lets a rebuild of an unchanged commit find its content checksum
 * without cloning. A commit's files never change, so an entry never goes stale; a lost or damaged one only costs a
 * clone. {@code wharf prune} removes entries by their last use, as cache records.
 *
 * <p>Thread-safe: entries are replaced atomically.
 */
final class GitChecksums {
    private final Path dir;

    GitChecksums(Path dir) {
        this.dir = dir;
    }

    /** The remembered checksum of {@code key}'s checkout, if any. */
    Optional<Digest> lookup(String key) {
        try {
            Path file = file(key);
            Digest d = Digest.parse(Files.readString(file, StandardCharsets.UTF_8).strip());
            LastUse.markQuietly(file);
            return Optional.of(d);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Remembers the checksum of {@code key}'s checkout. */
    void remember(String key, Digest checksum) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.replace(file(key), (checksum + "\n").getBytes(StandardCharsets.UTF_8), dir);
    }

    /**
     * BuildKit's {@code shaToCacheKey}: the commit (an annotated tag's own id when {@code .git} is kept, which
     * holds it), with the ref's name when {@code .git} is kept, the subdirectory, {@code submodules=false} and
     * {@code mtime=commit}.
     */
    static String sourceKey(GitRemote remote, GitContextSource.ResolvedRef pin, boolean keepGitDir) {
        return (keepGitDir ? pin.object() + ".git#" + pin.name() : pin.commit())
                + (remote.subdir().isEmpty() ? "" : ":" + remote.subdir())
                + (remote.submodules() ? "" : "(skip-submodules)")
                + (remote.mtime().equals("commit") ? "(mtime=commit)" : "");
    }

    /**
     * The checksums of one checkout's copies: {@code kind} tells how it is read (an ADD's as another stage's files,
     * a named context's with owners reset), {@code sourceKey} which checkout it is ({@link #sourceKey}).
     */
    record Scope(GitChecksums store, String kind, String sourceKey) {
        Optional<Digest> lookup(CopyRequest request) {
            return store.lookup(key(request));
        }

        void remember(CopyRequest request, Digest checksum) throws IOException {
            store.remember(key(request), checksum);
        }

        private String key(CopyRequest request) {
            return kind + "\0" + sourceKey + "\0" + String.join("\0", request.sources()) + "\0\0"
                    + String.join("\0", request.excludePatterns()) + "\0\0" + request.destination() + "\0"
                    + request.parents();
        }
    }

    private Path file(String key) {
        return dir.resolve(Digest.sha256Of(key.getBytes(StandardCharsets.UTF_8)).hex());
    }
}
