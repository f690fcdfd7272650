package dev.wharf.layers.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

    @Test
    void replace_withPermissions_givesTheFileThatModeWhateverTheTempFileHad() throws Exception {
        Path staging = Files.createDirectory(dir.resolve("ingest"));
        Path target = dir.resolve("resolv.conf");
        AtomicFiles.replace(target, "nameserver 8.8.8.8\n".getBytes(StandardCharsets.UTF_8), staging,
                PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals("nameserver 8.8.8.8\n", Files.readString(target));
        AtomicFiles.replace(target, "x".getBytes(StandardCharsets.UTF_8), staging);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)),
                "without permissions: the temp file's owner-only mode, as before");
    }

    @Test
    void replaceShared_givesTheModeOfAnyNewFile_notOwnerOnly() throws Exception {
        Path staging = Files.createDirectory(dir.resolve("staging"));
        Path target = dir.resolve("index.json");
        AtomicFiles.replaceShared(target, "{}".getBytes(StandardCharsets.UTF_8), staging);
        assertEquals("{}", Files.readString(target));
        assertEquals(Files.getPosixFilePermissions(Files.createFile(dir.resolve("usual"))),
                Files.getPosixFilePermissions(target), "0666 less the umask, as os.Create gives docker's files");
        try (Stream<Path> left = Files.list(staging)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void replace_ofATargetWhoseNameFillsTheLimit_stillFindsATempName() throws Exception {
        Path staging = Files.createDirectory(dir.resolve("tmp"));
        // A snapshot record of a 120-byte key: 240 hex digits and .json, 245 of Linux's 255 bytes per name.
        Path target = dir.resolve("ab".repeat(120) + ".json");
        AtomicFiles.replace(target, "{}".getBytes(StandardCharsets.UTF_8), staging);
        AtomicFiles.replaceUnsynced(target, "[]".getBytes(StandardCharsets.UTF_8), staging);
        assertEquals("[]", Files.readString(target));
        Path unicode = dir.resolve("\u00e9".repeat(120));
        AtomicFiles.replaceShared(unicode, "x".getBytes(StandardCharsets.UTF_8), staging);
        assertEquals("x", Files.readString(unicode));
    }

    @Test
    void replaceUnsynced_writesTheContentAndLeavesNoTempFile() throws Exception {
        Path staging = Files.createDirectory(dir.resolve("tmp"));
        Path target = dir.resolve("id-ceiling");
        AtomicFiles.replaceUnsynced(target, "64".getBytes(StandardCharsets.UTF_8), staging);
        AtomicFiles.replaceUnsynced(target, "128".getBytes(StandardCharsets.UTF_8), staging);
        assertEquals("128", Files.readString(target));
        try (Stream<Path> left = Files.list(staging)) {
            assertEquals(0, left.count());
        }
    }
}
