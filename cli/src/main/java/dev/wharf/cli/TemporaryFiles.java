package dev.wharf.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Temporary files and directories of the CLI, in the directory {@code java.io.tmpdir} names when they are made.
 * Why not {@link Files#createTempFile(String, String, java.nio.file.attribute.FileAttribute[])} without a directory:
 * the JDK reads that property once, into a static field; in the native image that happened at image build time,
 * so {@code TMPDIR} ({@link Main#useTmpdirInNativeImage}) was ignored and a spool went to {@code /tmp} regardless.
 * Stateless.
 */
final class TemporaryFiles {
    private TemporaryFiles() {
    }

    static Path file(String prefix, String suffix) throws IOException {
        return Files.createTempFile(directory(), prefix, suffix);
    }

    static Path directory(String prefix) throws IOException {
        return Files.createTempDirectory(directory(), prefix);
    }

    private static Path directory() {
        return Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
    }
}
