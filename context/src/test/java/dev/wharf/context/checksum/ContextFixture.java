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

    /**
     * Skips the calling test when the native scan helper was not compiled (no gcc at build time); under
     * {@code CI=true} its absence fails instead.
     */
    static void assumeScanHelperPackaged() {
        boolean packaged = dev.wharf.context.walk.NativeTreeScan.class.getResource(
                dev.wharf.layers.layout.NativeHelpers.resource("wharf-scan")) != null;
        if ("true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.assertTrue(packaged, "CI=true: the build must compile the native scan"
                    + " helper (apt-get install gcc libc6-dev)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged, "wharf-scan was not compiled (no gcc at build time)");
    }

    /** Every path of a snapshot under {@code dir}, depth first, with what lstat said about it. */
    static java.util.List<String> listing(ContextSnapshot s, String dir) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String name : s.children(dir)) {
            String p = (dir.equals("/") ? "/" : dir + "/") + name;
            out.add(p + " " + s.lstat(p).orElseThrow());
            if (s.lstat(p).orElseThrow().type() == dev.wharf.context.walk.FileType.DIRECTORY) {
                out.addAll(listing(s, p));
            }
        }
        return out;
    }
}
