package dev.wharf.cache;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny program {@link FileCacheStoreTest} runs in another JVM: saves records into a cache directory while the test
 * saves its own, so the test can check that processes sharing one directory lose nothing.
 *
 * <p>Arguments: root, prefix, count. Prints {@code ready}, waits for the file {@code root/go} (so JVM startup does
 * not serialize the writers), saves {@code count} records plus one shared key each round, and prints {@code done}.
 */
public final class ConcurrentCacheWriterMain {
    private ConcurrentCacheWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        FileCacheStore store = FileCacheStore.open(root, CacheStoreOptions.defaults());
        System.out.println("ready");
        System.out.flush();
        Path go = root.resolve("go");
        while (!Files.exists(go)) {
            Thread.sleep(1);
        }
        for (int i = 0; i < count; i++) {
            store.save(TestSteps.run(i, prefix + " " + i).build(), TestSteps.result(prefix + i));
            store.save(TestSteps.run(999, "shared").build(), TestSteps.result("shared"));
            store.lookup(TestSteps.run(999, "shared").build().key()).orElseThrow();
        }
        System.out.println("done");
    }
}
