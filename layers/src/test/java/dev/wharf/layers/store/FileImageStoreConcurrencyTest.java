package dev.wharf.layers.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FileImageStoreConcurrencyTest {
    private static final int PER_WRITER = 25;

    @TempDir
    Path root;

    @Test
    @Timeout(60)
    void taggersInManyThreadsNeverLoseAnUpdate() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String prefix = "thread" + t;
                results.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < PER_WRITER; i++) {
                        store.images().tag(ImageName.parse(prefix + ":" + i), image.manifest());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * PER_WRITER, store.images().list().size());
    }

    @Test
    @Timeout(120)
    void taggersInOtherProcessesAndThisOneNeverLoseAnUpdate() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        // A second LocalStore instance in this JVM exercises the polling path of StoreLock as well.
        LocalStore second = LocalStore.open(root);
        List<Process> processes = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            processes.add(javaProcess(TaggerMain.class, root.toString(), image.manifest().digest().toString(),
                    String.valueOf(image.manifest().size()), "proc" + p, String.valueOf(PER_WRITER)));
        }
        List<BufferedReader> outputs = new ArrayList<>();
        for (Process process : processes) {
            BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), () -> stderr(process));
            outputs.add(out);
        }
        Files.createFile(root.resolve("go"));
        Thread other = new Thread(() -> {
            try {
                for (int i = 0; i < PER_WRITER; i++) {
                    second.images().tag(ImageName.parse("second:" + i), image.manifest());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        other.start();
        for (int i = 0; i < PER_WRITER; i++) {
            store.images().tag(ImageName.parse("local:" + i), image.manifest());
        }
        other.join();
        for (int p = 0; p < processes.size(); p++) {
            Process process = processes.get(p);
            assertEquals(0, process.waitFor(), () -> stderr(process));
            assertEquals("done", outputs.get(p).readLine());
        }
        Set<String> names = new HashSet<>();
        store.images().list().forEach(t -> names.add(t.refName()));
        assertEquals(4 * PER_WRITER, names.size(), names::toString);
        for (int i = 0; i < PER_WRITER; i++) {
            for (String prefix : List.of("proc0", "proc1", "local", "second")) {
                assertEquals(true, names.contains(prefix + ":" + i), prefix + ":" + i);
            }
        }
    }

    private static String stderr(Process process) {
        try {
            return "child failed: " + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "child failed, stderr unreadable: " + e;
        }
    }

    private static Process javaProcess(Class<?> mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }
}
