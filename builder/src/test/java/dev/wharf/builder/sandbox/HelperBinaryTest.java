package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wharf.layers.layout.NativeHelpers;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelperBinaryTest {
    @TempDir
    Path dir;

    @Test
    void install_writesTheHelperOnceUnderItsDigest_executableAndComplete() throws Exception {
        byte[] resource;
        try (InputStream in = HelperBinary.class.getResourceAsStream(HelperBinary.resource())) {
            if ("true".equals(System.getenv("CI"))) {
                assertTrue(in != null, "CI=true: the build must compile the native sandbox helper (gcc)");
            }
            assumeTrue(in != null, "skipped: this build has no native sandbox helper (no gcc at build time)");
            resource = in.readAllBytes();
        }
        Optional<Path> first = HelperBinary.install(dir.resolve(".helper"));
        Path helper = first.orElseThrow();
        assertEquals("wharf-sandbox-" + NativeHelpers.digest(resource).substring(0, 16),
                helper.getFileName().toString());
        assertArrayEquals(resource, Files.readAllBytes(helper));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(helper)));
        long modified = Files.getLastModifiedTime(helper).toMillis();
        assertEquals(first, HelperBinary.install(dir.resolve(".helper")));
        assertEquals(modified, Files.getLastModifiedTime(helper).toMillis(), "installed once");
        try (var files = Files.list(dir.resolve(".helper"))) {
            // The helper, and the note by which later processes find it without reading the jar.
            java.util.List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(2, names.size(), "no temporary file is left: " + names);
            String note = names.stream().filter(n -> n.endsWith(".id")).findFirst().orElseThrow();
            assertTrue(note.startsWith("wharf-sandbox-"), note);
            assertEquals(helper.getFileName().toString().substring("wharf-sandbox-".length()),
                    Files.readString(dir.resolve(".helper").resolve(note)));
            Files.writeString(dir.resolve(".helper").resolve(note), "not a digest");
        }
        assertEquals(first, HelperBinary.install(dir.resolve(".helper")), "a bad note is not trusted");
    }
}
