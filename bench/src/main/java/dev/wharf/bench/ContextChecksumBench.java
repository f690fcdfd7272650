package dev.wharf.bench;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ChecksumCache;
import dev.wharf.context.checksum.ContextChecksummer;
import dev.wharf.context.checksum.ContextSnapshot;
import dev.wharf.context.checksum.Digest;
import dev.wharf.context.checksum.Selector;
import dev.wharf.context.ignore.PatternMatcher;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * One content checksum of a whole build context, as a fresh CLI process would take it: load the persisted checksum
 * cache, scan the context, checksum {@code COPY . /}, persist the cache. Run by {@code bench/context.sh}, which
 * times the whole process; this class prints its own in-process time and the digest on one line
 * ({@code millis=N digest=sha256:...}) so runs can be checked against each other. Not a unit test, not JMH: the
 * interesting number includes JVM start and cache loading. Holds no state.
 */
public final class ContextChecksumBench {

    private ContextChecksumBench() {
    }

    /** CPU time of the whole process (all threads, JIT and GC included), in nanoseconds. */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * {@code ContextChecksumBench CONTEXT_DIR CACHE_DIR}.
     *
     * @throws ContextException when the context or the cache cannot be read
     */
    public static void main(String[] args) throws ContextException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ContextChecksumBench CONTEXT_DIR CACHE_DIR");
        }
        long start = System.nanoTime();
        long c0 = cpu();
        ChecksumCache cache = ChecksumCache.persistent(Path.of(args[1]), 10_000_000L);
        long loaded = System.nanoTime();
        long c1 = cpu();
        ContextSnapshot snapshot = ContextSnapshot.scan(Path.of(args[0]), PatternMatcher.of(List.of()));
        long scanned = System.nanoTime();
        long c2 = cpu();
        Digest digest = new ContextChecksummer(cache, true, Clock.systemUTC()).checksum(snapshot,
                Selector.copySource(".", List.of()));
        long summed = System.nanoTime();
        long c3 = cpu();
        cache.persist();
        long end = System.nanoTime();
        long c4 = cpu();
        System.out.println("millis=" + (end - start) / 1_000_000L + " digest=" + digest);
        // The phases, for finding where the time goes (stderr: the script keeps stdout).
        System.err.printf("wall ms: load=%d scan=%d checksum=%d persist=%d; process cpu ms: before=%d load=%d scan=%d "
                + "checksum=%d persist=%d%n", (loaded - start) / 1_000_000L, (scanned - loaded) / 1_000_000L,
                (summed - scanned) / 1_000_000L, (end - summed) / 1_000_000L, c0 / 1_000_000L,
                (c1 - c0) / 1_000_000L, (c2 - c1) / 1_000_000L, (c3 - c2) / 1_000_000L, (c4 - c3) / 1_000_000L);
    }
}
