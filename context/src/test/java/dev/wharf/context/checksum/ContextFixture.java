package dev.wharf.context.checksum;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Builds test contexts from BuildKit-style change lines ("ADD path file data", "ADD path dir", "ADD path symlink
 * target") with fixed permissions (0644 files, 0755 directories) so digests do not depend on the umask.
 */
final class ContextFixture {

    private ContextFixture() {
    }

    static Path build(Path root, String... changes) throws IOException {
        for (String line : changes) {
            String[] f = line.split(" ");
            Path p = root.resolve(f[1]);
            switch (f[2]) {
                case "file" -> {
                    Files.write(p, f.length > 3 ? f[3].getBytes(StandardCharsets.UTF_8) : new byte[0]);
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
                }
                case "dir" -> {
                    Files.createDirectory(p);
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                case "symlink" -> Files.createSymbolicLink(p, Path.of(f[3]));
                default -> throw new IllegalArgumentException(line);
            }
        }
        return root;
    }
}
