package dev.wharf.layers.blob;

import static dev.wharf.layers.blob.BlobTestSupport.content;
import static dev.wharf.layers.blob.BlobTestSupport.countFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.layers.Digest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreConcurrencyTest {
    private static final int SIZE = 512 * 1024;
    private static final long SEED = 42;

    @TempDir
    Path root;

    @Test
    @Timeout(60)
    void writersInManyThreadsOfTheSameBlobAllSucceedWithOneCopy() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] data = content(SIZE, SEED);
        Digest expected = Digest.sha256Of(data);
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<BlobInfo>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try (BlobWriter writer = store.writer()) {
                        for (int off = 0; off < data.length; off += 1000) {
                            writer.write(data, off, Math.min(1000, data.length - off));
                        }
                        return writer.commit(data.length, expected);
                    }
                }));
            }
            start.countDown();
            for (Future<BlobInfo> result : results) {
                assertEquals(expected, result.get(30, TimeUnit.SECONDS).digest());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, countFiles(root.resolve("blobs/sha256")));
        assertEquals(0, countFiles(root.resolve("ingest")));
        try (InputStream in = store.open(expected)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    @Timeout(120)
    void writersInTwoOtherProcessesAndThisOneShareTheStore() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] data = content(SIZE, SEED);
        Digest expected = Digest.sha256Of(data);
        List<Process> processes = new ArrayList<>();
        List<BufferedReader> readers = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            processes.add(javaProcess(ConcurrentBlobWriterMain.class, root.toString(), String.valueOf(SIZE),
                    String.valueOf(SEED), "50"));
        }
        for (Process process : processes) {
            BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), () -> "child did not start: " + stderr(process));
            readers.add(out);
        }
        Files.createFile(root.resolve("go"));
        for (int i = 0; i < 50; i++) {
            try (BlobWriter writer = store.writer()) {
                writer.write(data);
                assertEquals(expected, writer.commit(data.length, expected).digest());
            }
        }
        for (int p = 0; p < processes.size(); p++) {
            Process process = processes.get(p);
            assertEquals(0, process.waitFor(), () -> "child failed: " + stderr(process));
            assertEquals(expected.toString(), readers.get(p).readLine());
        }
        assertEquals(1, countFiles(root.resolve("blobs/sha256")));
        assertEquals(0, countFiles(root.resolve("ingest")));
        store.verify(expected);
    }

    private static String stderr(Process process) {
        try {
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /** Starts {@code main} of a test class in a new JVM with this test's classpath. */
    static Process javaProcess(Class<?> mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        // Output is tiny (one line), so the pipes cannot fill up and block the child.
        return new ProcessBuilder(command).start();
    }
}
