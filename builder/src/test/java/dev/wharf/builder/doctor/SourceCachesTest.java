package dev.wharf.builder.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cache.PruneOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SourceCaches} on a real store directory (the rules themselves: StoreCommandsTest through wharf prune). */
class SourceCachesTest {
    @TempDir
    Path root;

    @Test
    void pruneAll_keepsWhatALiveBuildUsedSinceItBegan_andLeavesNoHalfCheckout() throws Exception {
        Instant now = Instant.now();
        Path old = checkout("old", now.minusSeconds(7200));
        Path inUse = checkout("in-use", now.minusSeconds(60));
        Path sum = Files.writeString(Files.createDirectories(root.resolve("git-checksums")).resolve("s"), "x");
        Files.setLastModifiedTime(sum, FileTime.from(now.minusSeconds(7200)));

        SourceCaches.Pruned pruned = SourceCaches.prune(root, PruneOptions.everything(), now,
                Optional.of(now.minusSeconds(600)));

        assertEquals(2, pruned.entries());
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(sum));
        assertTrue(Files.isRegularFile(inUse.resolve("tree/f")), "a running build may be reading it");
        try (var left = Files.list(root.resolve("git-contexts"))) {
            assertEquals(1, left.count(), "nothing but the kept checkout");
        }
        assertEquals(0, SourceCaches.prune(root.resolve("missing"), PruneOptions.everything(), now,
                Optional.empty()).entries(), "a store that never remembered a source");
    }

    private Path checkout(String name, Instant used) throws Exception {
        Path entry = root.resolve("git-contexts").resolve(name);
        Files.createDirectories(entry.resolve("tree"));
        Files.writeString(entry.resolve("tree/f"), "content");
        Files.writeString(entry.resolve("root"), "\n");
        Files.setLastModifiedTime(entry, FileTime.from(used));
        return entry;
    }
}
