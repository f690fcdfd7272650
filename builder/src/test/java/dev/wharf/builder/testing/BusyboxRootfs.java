package dev.wharf.builder.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tiny root filesystem with a shell for sandbox tests: the busybox tarball that {@code peers.sh busybox-tar}
 * writes (from the host's static busybox), extracted with {@code tar -x}. Adds a user {@code builder} (1000:1000)
 * in groups {@code staff} (50) and {@code audio} (29) so user resolution can be exercised.
 */
public final class BusyboxRootfs {
    private BusyboxRootfs() {
    }

    /** Extracts a busybox root filesystem into the empty directory {@code dir}. */
    public static Path extract(Path dir) throws IOException, InterruptedException {
        HostRequirements.requireTool("busybox", "apt-get install busybox-static");
        Path peers = Path.of(System.getProperty("wharf.shared.dir", "/work/shared"), "tools", "peers.sh");
        HostRequirements.require(Files.isExecutable(peers), "peers.sh not found at " + peers
                + " (set -Dwharf.shared.dir)");
        Path tar = Files.createTempFile("busybox-", ".tar");
        try {
            run(List.of(peers.toString(), "busybox-tar", tar.toString()));
            Files.createDirectories(dir);
            run(List.of("tar", "-x", "-f", tar.toString(), "-C", dir.toString()));
        } finally {
            Files.deleteIfExists(tar);
        }
        // mktemp -d makes the tarball's root 0700; images have 0755 roots, and non-root users must traverse it.
        run(List.of("chmod", "755", dir.toString()));
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "builder:x:1000:1000:builder:/home/builder:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/home:/bin/false\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\nbuilder:x:1000:\naudio:x:29:builder\n"
                + "staff:x:50:root,builder\nnogroup:x:65534:\n");
        Files.writeString(dir.resolve("etc/lower-file"), "from the lower layer\n");
        Files.createDirectories(dir.resolve("srv/old"));
        Files.writeString(dir.resolve("srv/old/a"), "a\n");
        Files.writeString(dir.resolve("srv/old/b"), "b\n");
        return dir;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
    }
}
