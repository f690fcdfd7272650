package dev.wharf.layers.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.json.JsonTrees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The garbage collector's sweep of a directory of per-blob index records ({@code clamped/}, {@code variants/}): each
 * record names its blob in a {@code digest} field, and once that blob is gone the record only costs a lookup and a
 * file: a CI that builds with a new {@code SOURCE_DATE_EPOCH} per commit adds one per layer and build. Deletes the
 * records whose blob is absent (or that cannot be read: a record is written atomically, so such a one is damaged
 * and a lookup ignores it anyway), and the temp files of writers killed before their rename, once older than the
 * collection's cutoff (a younger one may be a live writer's).
 *
 * <p>Runs under the store lock, after the blob sweep. A record written concurrently names a blob committed just
 * before it, which the sweep keeps (it is younger than the cutoff), so a live record is never taken. Stateless.
 */
final class IndexRecords {
    private IndexRecords() {
    }

    /**
     * The record at {@code file} as a JSON tree: empty when there is none or it is damaged (a lookup then makes the
     * variant again and the new record replaces it).
     *
     * @param what the kind of record, for the error ({@code clamped-layer})
     * @throws LayerException if the file exists but cannot be read
     */
    static Optional<JsonNode> read(Path file, String what) throws LayerException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new LayerException("cannot read the " + what + " record " + file + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(JsonTrees.parse(content));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Sweeps {@code dir}; returns the number of files deleted. */
    static int sweep(Path dir, BlobStore blobs, Instant cutoff) throws LayerException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                boolean dead = name.endsWith(".json") ? !blobPresent(entry, blobs)
                        : name.endsWith(".tmp") && olderThan(entry, cutoff);
                if (dead && Files.deleteIfExists(entry)) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            throw new LayerException("cannot sweep the index records in " + dir + ": " + e.getMessage(), e);
        }
        return deleted;
    }

    private static boolean blobPresent(Path record, BlobStore blobs) throws LayerException {
        byte[] content;
        try {
            content = Files.readAllBytes(record);
        } catch (IOException e) {
            // Gone already, or unreadable to this process: nothing to judge, left as it is.
            return true;
        }
        try {
            return blobs.exists(Digest.parse(JsonTrees.parse(content).path("digest").asText()));
        } catch (IOException | IllegalArgumentException e) {
            // Damaged: a lookup never reads it as a record.
            return false;
        }
    }

    private static boolean olderThan(Path file, Instant cutoff) throws IOException {
        try {
            return Files.getLastModifiedTime(file).toInstant().isBefore(cutoff);
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
