package dev.wharf.builder.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * Marks an entry of the store's source caches (git checksums and checkouts, download ETags) used now, by its mtime:
 * {@code wharf prune} removes the entries not used for a while, oldest first ({@code doctor.SourceCaches}). A mark
 * only orders prune, so one the file system refuses (EPERM: only the owner may set explicit times, so another user
 * of a group-shared store cannot; or a read-only store) is ignored: the entry was still used. Stateless.
 */
final class LastUse {
    private LastUse() {
    }

    /**
     * Marks {@code entry} used now; only its absence is an error (pruned meanwhile), for callers that must then
     * treat it as no entry. A refused mark must not count as absence: a checkout cache that did so cloned again and
     * then failed on the rename into the name the stored entry holds.
     */
    static void mark(Path entry) throws NoSuchFileException {
        try {
            Files.setLastModifiedTime(entry, FileTime.from(Instant.now()));
        } catch (NoSuchFileException pruned) {
            throw pruned;
        } catch (IOException refused) {
            // Used all the same; see above.
        }
    }

    /** Marks {@code entry} used now, if it is still there: a caller that has read it already is done with it. */
    static void markQuietly(Path entry) {
        try {
            mark(entry);
        } catch (NoSuchFileException pruned) {
            // Pruned meanwhile: the entry was still read, and at worst goes earlier.
        }
    }
}
