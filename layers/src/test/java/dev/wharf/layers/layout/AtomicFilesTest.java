package dev.wharf.layers.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;

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

    @Test
    void replaceStreamed_writesWhatTheWriterStreams_withTheModeOfAnyNewFile_andNoTempFileBeside() throws Exception {
        Path target = dir.resolve("image.tar");
        byte[] large = new byte[300 * 1024 + 7];
        new java.util.Random(1).nextBytes(large);
        AtomicFiles.replaceStreamed(target, null, out -> {
            out.write('x');
            out.write(large, 0, large.length);
            out.close(); // a writer that closes its stream must not break the fsync after it
        });
        byte[] written = Files.readAllBytes(target);
        assertEquals(1 + large.length, written.length);
        assertEquals('x', written[0]);
        assertArrayEquals(large, java.util.Arrays.copyOfRange(written, 1, written.length));
        assertEquals(Files.getPosixFilePermissions(Files.createFile(dir.resolve("usual"))),
                Files.getPosixFilePermissions(target), "0666 less the umask, as docker save -o leaves it");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of("image.tar", "usual"), left.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void replaceStreamed_withReadOnlyPermissions_setsThemAfterTheContentIsWritten() throws Exception {
        Path target = dir.resolve("blob");
        AtomicFiles.replaceStreamed(target, PosixFilePermissions.fromString("r--r--r--"),
                out -> out.write("content".getBytes(StandardCharsets.UTF_8)));
        assertEquals("content", Files.readString(target));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    @Test
    void replaceStreamed_whenTheWriterFails_leavesTheOldTargetAndNoTempFile() throws Exception {
        Path target = Files.writeString(dir.resolve("out.tar"), "old");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.replaceStreamed(target, null, out -> {
            out.write(new byte[100_000]);
            throw new IOException("blob does not verify");
        }));
        assertEquals("blob does not verify", thrown.getMessage());
        assertEquals("old", Files.readString(target));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(target), left.toList());
        }
    }

    @Test
    void replaceStreamed_ofARelativeTarget_writesItInTheWorkingDirectory() throws Exception {
        Path target = Path.of("wharf-atomic-files-test-" + System.nanoTime()); // no parent: -o dest=out.tar
        try {
            AtomicFiles.replaceStreamed(target, null, out -> out.write('1'));
            assertEquals("1", Files.readString(target));
        } finally {
            Files.deleteIfExists(target);
        }
    }
}
