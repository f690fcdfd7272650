package dev.wharf.cache;

import dev.wharf.layers.Digest;
import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Set;

/**
 * The image configs of a {@link FileCacheStore}'s records, one content-addressed file each
 * ({@code configs/<sha256 hex>}), so a record file names its config instead of holding it.
 *
 * <p>Why: a step's config holds the whole history, env and labels of every step before it, so records holding it
 * made a Dockerfile of N steps write O(N&sup2;) bytes of records and a cached build read and parse all of them, while a
 * cache hit never needs the config (the builder recomputes it from the plan; only a cache export copies it). Records
 * now read in constant size and the config is read, and checked against its digest, only when asked for.
 *
 * <p>Thread-safe. Writes go through {@link AtomicFiles#replace} (temp, fsync, rename, fsync of the directory) and
 * happen under the store's {@link CacheLock} before the record naming them is written, so a record never names a
 * config that a crash could lose; {@link #sweep} (also under the lock) removes configs no record names.
 */
final class ConfigBlobs implements StepResult.ConfigSource {
    private final Path dir;
    private final Path tmpDir;

    ConfigBlobs(Path dir, Path tmpDir) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.tmpDir = Objects.requireNonNull(tmpDir, "tmpDir");
    }

    Path path(Digest digest) {
        return dir.resolve(digest.hex());
    }

    /**
     * Stores a config, replacing a file of that name (callers first ask {@link #present}: a config saved before, by
     * another stage's equal step or an earlier save of the step, is not written again). Lock held.
     */
    void put(Digest digest, byte[] content) throws IOException {
        AtomicFiles.replace(path(digest), content, tmpDir);
    }

    /** Whether the config of a record is there with the size the record states (one stat, no read). */
    boolean present(Digest digest, long size) throws IOException {
        try {
            BasicFileAttributes attrs = Files.readAttributes(path(digest), BasicFileAttributes.class);
            return attrs.isRegularFile() && attrs.size() == size;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public String load(Digest digest) {
        Path file = path(digest);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the image config " + file + " of a build cache record: " + e
                    + "; a prune or wharf doctor --repair in another process may have removed it: build again", e);
        }
        if (!Digest.sha256Of(bytes).equals(digest)) {
            throw new IllegalStateException("the image config " + file + " of a build cache record is damaged "
                    + "(its content does not match its name); delete it and build again");
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return TextChecks.wellFormed(text, "image config");
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("the image config " + file + " of a build cache record is not UTF-8", e);
        }
    }

    /**
     * Removes the configs not in {@code referenced}: those of pruned records, and those a crash left before their
     * record was written. Lock held.
     *
     * @return how many were removed
     */
    int sweep(Set<Digest> referenced) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Digest digest;
                try {
                    digest = Digest.sha256(entry.getFileName().toString());
                } catch (IllegalArgumentException e) {
                    continue; // Not a config: leave foreign files alone.
                }
                if (!referenced.contains(digest) && Files.deleteIfExists(entry)) {
                    removed++;
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        return removed;
    }
}
