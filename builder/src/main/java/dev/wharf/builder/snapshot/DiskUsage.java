package dev.wharf.builder.snapshot;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/** Measures a directory tree the way containerd's {@code fs.DiskUsage} does: each inode counted once. Stateless. */
final class DiskUsage {
    private DiskUsage() {
    }

    static Usage of(Path dir) throws IOException {
        Set<Object> inodes = new HashSet<>();
        long[] size = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                count(attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                count(attrs);
                return FileVisitResult.CONTINUE;
            }

            private void count(BasicFileAttributes attrs) {
                Object key = attrs.fileKey();
                if (key == null || inodes.add(key)) {
                    if (key == null) {
                        inodes.add(new Object());
                    }
                    if (!attrs.isDirectory()) {
                        size[0] += attrs.size();
                    }
                }
            }
        });
        return new Usage(size[0], inodes.size());
    }
}
