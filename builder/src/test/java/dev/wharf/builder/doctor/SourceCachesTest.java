package dev.wharf.builder.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cache.PruneOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
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
        // The checksums of copies from images, remembered so that cached steps pull no layers, go the same way.
        Path imageSum = Files.writeString(Files.createDirectories(root.resolve("image-checksums")).resolve("i"), "x");
        Files.setLastModifiedTime(imageSum, FileTime.from(now.minusSeconds(7200)));

        SourceCaches.Pruned pruned = SourceCaches.prune(root, PruneOptions.everything(), now,
                Optional.of(now.minusSeconds(600)));

        assertEquals(3, pruned.entries());
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(sum));
        assertFalse(Files.exists(imageSum));
        assertTrue(Files.isRegularFile(inUse.resolve("tree/f")), "a running build may be reading it");
        try (var left = Files.list(root.resolve("git-contexts"))) {
            assertEquals(1, left.count(), "nothing but the kept checkout");
        }
        assertEquals(0, SourceCaches.prune(root.resolve("missing"), PruneOptions.everything(), now,
                Optional.empty()).entries(), "a store that never remembered a source");
    }

    @Test
    void prune_keepsACheckoutABuildTookUpWhileThePruneSizedTheOthers() throws Exception {
        // The listing (and its sizing walk of every checkout) comes long before the deletions: a build that
        // starts using a stored checkout in between reads it in place, and must not lose it.
        Instant now = Instant.now();
        Path reused = checkout("reused", now.minusSeconds(7200));
        Path idle = checkout("idle", now.minusSeconds(7200));
        Path sum = Files.writeString(Files.createDirectories(root.resolve("git-checksums")).resolve("s"), "x");
        Files.setLastModifiedTime(sum, FileTime.from(now.minusSeconds(7200)));
        Instant buildBegan = now.minusSeconds(600);

        SourceCaches.Pruned pruned = SourceCaches.prune(root, PruneOptions.everything(), now,
                Optional.of(buildBegan), () -> {
                    try {
                        // What GitContextCheckouts and GitChecksums do to an entry they reuse.
                        Files.setLastModifiedTime(reused, FileTime.from(Instant.now()));
                        Files.setLastModifiedTime(sum, FileTime.from(Instant.now()));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });

        assertEquals(1, pruned.entries(), "only the idle checkout");
        assertFalse(Files.exists(idle));
        assertTrue(Files.isRegularFile(reused.resolve("tree/f")), "the build is reading it");
        assertTrue(Files.isRegularFile(sum), "the build just read it");
        try (var left = Files.list(root.resolve("git-contexts"))) {
            assertEquals(List.of(reused), left.toList(), "put back under its name, no tmp- left");
        }
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
