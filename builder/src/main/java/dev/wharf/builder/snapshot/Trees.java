package dev.wharf.builder.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/** Whole-tree file operations for snapshot and sandbox state directories. Stateless and thread-safe. */
public final class Trees {
    private static final long COPY_TIMEOUT_MINUTES = 60;

    private Trees() {
    }

    /** Deletes a tree without following symlinks; a missing tree is not an error. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
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
