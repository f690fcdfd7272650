package dev.wharf.layers.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replace_writesTheContentAndLeavesNoTempFile() throws Exception {
        Path staging = Files.createDirectory(dir.resolve("ingest"));
        Path target = dir.resolve("index.json");
        AtomicFiles.replace(target, "first".getBytes(StandardCharsets.UTF_8), staging);
        AtomicFiles.replace(target, "second".getBytes(StandardCharsets.UTF_8), staging);
        assertEquals("second", Files.readString(target));
        try (Stream<Path> left = Files.list(staging)) {
            assertEquals(0, left.count());
        }
    }
}
