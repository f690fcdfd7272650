package dev.wharf.layers.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "synced: {0}")
    @ValueSource(booleans = {true, false})
    void replace_andReplaceUnsynced_writeTheContentAndLeaveNoTempFile(boolean synced) throws Exception {
        Path staging = Files.createDirectory(dir.resolve("ingest"));
        Path target = dir.resolve("index.json");
        for (String content : List.of("first", "second")) {
            if (synced) {
                AtomicFiles.replace(target, content.getBytes(StandardCharsets.UTF_8), staging);
            } else {
                AtomicFiles.replaceUnsynced(target, content.getBytes(StandardCharsets.UTF_8), staging);
            }
        }
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
}
