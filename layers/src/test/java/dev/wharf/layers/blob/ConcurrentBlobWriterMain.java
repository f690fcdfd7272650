package dev.wharf.layers.blob;

import dev.wharf.layers.Digest;
import java.io.IOException;

/**
 * A tiny program the concurrency test runs in a second JVM: writes the same deterministic blobs into a store root
 * and prints each digest, so the test can check that processes racing on one store all succeed.
 *
 * <p>Arguments: root, size, seed, rounds. Prints {@code ready}, then waits for the file {@code root/go} so that all
 * racing writers start together (JVM startup would otherwise serialize them).
 */
public final class ConcurrentBlobWriterMain {
    private ConcurrentBlobWriterMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        FileBlobStore store = FileBlobStore.open(java.nio.file.Path.of(args[0]));
        int size = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        int rounds = Integer.parseInt(args[3]);
        byte[] data = BlobTestSupport.content(size, seed);
        Digest expected = Digest.sha256Of(data);
        System.out.println("ready");
        System.out.flush();
        java.nio.file.Path go = java.nio.file.Path.of(args[0], "go");
        while (!java.nio.file.Files.exists(go)) {
            Thread.sleep(1);
        }
        for (int i = 0; i < rounds; i++) {
            try (BlobWriter writer = store.writer()) {
                // Write in pieces so the racing writers interleave on disk.
                for (int off = 0; off < data.length; off += 4096) {
                    writer.write(data, off, Math.min(4096, data.length - off));
                }
                writer.commit(data.length, expected);
            }
        }
        System.out.println(expected);
    }
}
