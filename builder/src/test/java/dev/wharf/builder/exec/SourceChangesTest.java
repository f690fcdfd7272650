package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.walk.FileStat;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.ReadableFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceChangesTest {
    @TempDir
    Path dir;

    @Test
    void aFileUnchangedSinceItsScan_passes() throws Exception {
        Path source = Files.writeString(dir.resolve("app.jar"), "version 1");
        FileStat scanned = FileStat.read(source, "app.jar");
        long copy = Files.size(Files.copy(source, dir.resolve("copy")));
        assertDoesNotThrow(() -> SourceChanges.verify(source, copy, scanned, "app.jar"));
    }

    @Test
    void aFileWrittenAfterItsScan_stopsTheStepNamingIt() throws Exception {
        Path source = Files.writeString(dir.resolve("app.jar"), "version 1");
        FileStat scanned = FileStat.read(source, "app.jar");
        Files.writeString(source, " and more", StandardOpenOption.APPEND);
        long copy = Files.size(Files.copy(source, dir.resolve("copy")));
        BuildExecutor.StepFailure failure = assertThrows(BuildExecutor.StepFailure.class,
                () -> SourceChanges.verify(source, copy, scanned, "app.jar"));
        assertTrue(failure.getMessage().contains("file app.jar changed while the build was reading it"),
                failure.getMessage());
    }

    @Test
    void aCopyShorterThanTheScan_stopsTheStep() throws Exception {
        Path source = Files.writeString(dir.resolve("app.jar"), "version 1");
        FileStat scanned = FileStat.read(source, "app.jar");
        assertThrows(BuildExecutor.StepFailure.class, () -> SourceChanges.verify(source, 4, scanned, "app.jar"));
    }

    @Test
    void aSameSizeRewriteIsCaughtByItsTimes() throws Exception {
        Path source = Files.writeString(dir.resolve("conf"), "a=1");
        FileStat scanned = FileStat.read(source, "conf");
        Path replacement = Files.writeString(dir.resolve("new"), "a=2");
        Files.move(replacement, source, StandardCopyOption.REPLACE_EXISTING);
        long copy = Files.size(Files.copy(source, dir.resolve("copy")));
        assertThrows(BuildExecutor.StepFailure.class, () -> SourceChanges.verify(source, copy, scanned, "conf"));
    }
    @Test
    void theStatOfTheFileTheCopyRead_isCheckedInsteadOfThePath() throws Exception {
        Path source = Files.writeString(dir.resolve("app.jar"), "version 1");
        FileStat scanned = FileStat.read(source, "app.jar");
        PosixFiles posix = PosixFiles.system();
        try (ReadableFile in = posix.openForReading(source)) {
            FileWriter.Copied read = new FileWriter.Copied(9, Optional.of(in.stat()));
            // Replaced after the copy opened it: the file copied is still the scanned one.
            Files.move(Files.writeString(dir.resolve("new"), "version 22"), source,
                    StandardCopyOption.REPLACE_EXISTING);
            assertDoesNotThrow(() -> SourceChanges.verify(source, read, scanned, "app.jar"));
            assertThrows(BuildExecutor.StepFailure.class, () -> SourceChanges.verify(source,
                    new FileWriter.Copied(9, Optional.empty()), scanned, "app.jar"), "the path's file changed");
        }
        Path other = Files.writeString(dir.resolve("conf"), "a=1");
        FileStat before = FileStat.read(other, "conf");
        try (ReadableFile in = posix.openForReading(other)) {
            Files.writeString(other, "a=2", StandardOpenOption.APPEND);
            FileWriter.Copied read = new FileWriter.Copied(3, Optional.of(in.stat()));
            assertThrows(BuildExecutor.StepFailure.class, () -> SourceChanges.verify(other, read, before, "conf"));
        }
    }
}
