package dev.wharf.builder.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Whole-tree file operations for snapshot directories. Stateless and thread-safe. */
final class Trees {
    private static final long COPY_TIMEOUT_MINUTES = 60;

    private Trees() {
    }

    /**
     * Copies the contents of {@code from} into the existing directory {@code to}, keeping owners, modes, times,
     * extended attributes, hard links, device nodes and FIFOs. GNU {@code cp -a} is used because Java cannot create
     * device nodes or FIFOs; {@code --reflink=auto} shares extents on filesystems that can (btrfs, xfs).
     */
    static void copyContents(Path from, Path to) throws IOException {
        Process process = new ProcessBuilder("cp", "-a", "--reflink=auto", "--", from + "/.", to.toString())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(COPY_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("copying " + from + " to " + to + " did not finish in "
                        + COPY_TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying " + from + " to " + to, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("cp -a " + from + " " + to + " failed: "
                    + new String(output, StandardCharsets.UTF_8).strip());
        }
    }
}
