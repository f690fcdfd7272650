package dev.wharf.builder.exec;

import dev.wharf.layers.Digest;
import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The content checksums of earlier {@code ADD <git url>} checkouts, by their git source's key (the commit and the
 * options that change the checkout, as BuildKit's {@code shaToCacheKey}): one small file per key under {@code
 * <store>/git-checksums/}. An ADD's cache key is the content of what it copies, so that a branch that moved without
 * changing those files is still a cache hit, as BuildKit's content-based key of the copy makes it; this memo is
 * BuildKit's other key, the git source's own, which lets a rebuild of an unchanged commit find its content checksum
 * without cloning. A commit's files never change, so an entry never goes stale; a lost or damaged one only costs a
 * clone.
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
            return Optional.of(Digest.parse(Files.readString(file(key), StandardCharsets.UTF_8).strip()));
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

    private Path file(String key) {
        return dir.resolve(Digest.sha256Of(key.getBytes(StandardCharsets.UTF_8)).hex());
    }
}
