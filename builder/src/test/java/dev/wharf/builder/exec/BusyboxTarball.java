package dev.wharf.builder.exec;

import dev.wharf.builder.testing.HostRequirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes a busybox root filesystem tarball from the host's static busybox: {@code /bin/busybox} plus one symlink per
 * applet, {@code /etc/passwd} with root and nobody, {@code /tmp}. No dependency on ../shared.
 */
final class BusyboxTarball {
    private BusyboxTarball() {
    }

    static Path write(Path dir) throws IOException, InterruptedException {
        Path busybox = HostRequirements.requireTool("busybox", "apt-get install busybox-static");
        HostRequirements.requireTool("tar", "apt-get install tar");
        Path root = Files.createDirectories(dir.resolve("rootfs"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(busybox, root.resolve("bin/busybox"));
        Files.setAttribute(root.resolve("bin/busybox"), "unix:mode", 0755);
        for (String applet : run(List.of(busybox.toString(), "--list")).split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) {
                Files.createSymbolicLink(root.resolve("bin").resolve(applet.strip()), Path.of("busybox"));
            }
        }
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.createDirectories(root.resolve("tmp"));
        Files.setAttribute(root.resolve("tmp"), "unix:mode", 01777);
        Files.createDirectories(root.resolve("root"));
        Files.setAttribute(root, "unix:mode", 0755);
        Path tar = dir.resolve("busybox.tar");
        run(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", root.toString(), "-cf",
                tar.toString(), "."));
        return tar;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
        return out;
    }
}
