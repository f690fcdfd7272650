package dev.wharf.layers.blob;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes staged files in {@code ingest/} that writers abandoned (a crash or {@code kill -9} mid-write).
 *
 * <p>Immutable and thread-safe. Only regular files older than the cutoff are removed, so writes in progress in other
 * processes are left alone; files vanishing concurrently are ignored.
 */
final class IngestSweeper {
    private final Path ingestDir;
    private final Clock clock;
    private final Duration maxAge;

    IngestSweeper(Path ingestDir, Clock clock, Duration maxAge) {
        this.ingestDir = ingestDir;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** Sweeps once and returns the number of files deleted. */
    int sweep() throws IOException {
        Instant cutoff = clock.instant().minus(maxAge);
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(ingestDir)) {
            for (Path entry : entries) {
                try {
                    BasicFileAttributes attributes =
                            Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isBefore(cutoff)
                            && Files.deleteIfExists(entry)) {
                        deleted++;
                    }
                } catch (NoSuchFileException e) {
                    // Committed or discarded by its writer meanwhile.
                }
            }
        }
        return deleted;
    }
}
