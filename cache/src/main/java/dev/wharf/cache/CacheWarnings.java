package dev.wharf.cache;

/**
 * Receives the {@link CacheWarning}s of a store (library code never prints; the CLI shows them).
 *
 * <p>Implementations must be thread-safe: stores call them from any thread that uses the store.
 */
@FunctionalInterface
public interface CacheWarnings {
    /** Receives one warning. Must not throw. */
    void warn(CacheWarning warning);

    /** Returns a receiver that drops every warning. */
    static CacheWarnings ignore() {
        return warning -> {
        };
    }
}
