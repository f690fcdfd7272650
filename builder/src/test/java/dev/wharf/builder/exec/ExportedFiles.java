package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What the exporter tests read back: an oci/docker tarball's files by name, a blob of it by digest, and the output
 * of a checking tool (skopeo, umoci) that must succeed.
 */
final class ExportedFiles {
    private ExportedFiles() {
    }

    /** The blob {@code digest} ({@code sha256:...}) of an OCI layout read by {@link #readTar}. */
    static byte[] blob(Map<String, byte[]> tar, String digest) {
        return tar.get("blobs/" + digest.replace(':', '/'));
    }

    /** The regular files of a tarball by entry name; files of 1 MiB or more read as empty (layers are not needed). */
    static Map<String, byte[]> readTar(Path file) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (InputStream raw = Files.newInputStream(file); TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isFile()) {
                    out.put(entry.getName(), entry.getSize() < 1 << 20 ? tar.readAllBytes() : new byte[0]);
                }
            }
        }
        return out;
    }

    /** Runs {@code command}, asserting that it ends within two minutes with status 0; its output. */
    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        process.getInputStream().transferTo(out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + text);
        return text;
    }
}
