package dev.wharf.cache;

/** Runs the {@link CacheStore} contract against {@link InMemoryCacheStore}. */
class InMemoryCacheStoreTest extends CacheStoreContractTest {
    @Override
    CacheStore newStore(MutableClock clock) {
        return new InMemoryCacheStore(clock);
    }
}
