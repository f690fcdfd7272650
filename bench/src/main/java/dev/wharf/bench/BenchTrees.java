package dev.wharf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Small generated file trees for the JMH benchmarks: deterministic names, sizes and bytes from a seed. */
final class BenchTrees {
    private BenchTrees() {
    }

    /**
     * Writes {@code dirs} directories of {@code filesPerDir} files each under {@code root}, of 100 bytes to 16 KiB
     * (a source tree's mix), and returns the root.
     */
    static Path write(Path root, int dirs, int filesPerDir, long seed) throws IOException {
        Random random = new Random(seed);
        for (int d = 0; d < dirs; d++) {
            Path dir = Files.createDirectories(root.resolve("pkg" + d));
            for (int f = 0; f < filesPerDir; f++) {
                byte[] bytes = new byte[100 + random.nextInt(16 * 1024)];
                random.nextBytes(bytes);
                Files.write(dir.resolve("File" + f + ".java"), bytes);
            }
        }
        return root;
    }

    static void delete(Path root) throws IOException {
        if (root != null) {
            dev.wharf.layers.layout.FileTrees.delete(root);
        }
    }
}
