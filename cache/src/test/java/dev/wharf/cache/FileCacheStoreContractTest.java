package dev.wharf.cache;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Runs the {@link CacheStore} contract against {@link FileCacheStore}. */
class FileCacheStoreContractTest extends CacheStoreContractTest {
    @TempDir
    Path root;

    @Override
    CacheStore newStore(MutableClock clock) throws Exception {
        return FileCacheStore.open(root, CacheStoreOptions.defaults().withClock(clock));
    }
}
