package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
        assertEquals("wharf-sandbox-" + HelperBinary.digest(resource).substring(0, 16),
                helper.getFileName().toString());
        assertArrayEquals(resource, Files.readAllBytes(helper));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(helper)));
        long modified = Files.getLastModifiedTime(helper).toMillis();
        assertEquals(first, HelperBinary.install(dir.resolve(".helper")));
        assertEquals(modified, Files.getLastModifiedTime(helper).toMillis(), "installed once");
        try (var files = Files.list(dir.resolve(".helper"))) {
            assertEquals(1, files.count(), "no temporary file is left");
        }
    }
}
