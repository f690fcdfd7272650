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

    /**
     * CPU time of the whole process (all threads, JIT and GC included), in nanoseconds, in clock ticks (10 ms).
     * From /proc through ProcessHandle: the management beans' classes cost a fresh JVM some 25 ms before the
     * checksum starts, which the timed process would otherwise include.
     */
    private static long cpu() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
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
        ContextSnapshot snapshot = ContextSnapshot.scan(Path.of(args[0]), PatternMatcher.of(List.of()), cache);
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
        System.err.println("thread cpu ms: " + threadCpu());
    }

    /**
     * CPU time per kind of thread from /proc/self/task (Linux): the JIT compilers and GC are not Java threads, and
     * in a fresh JVM they take a large share of a short run's CPU.
     */
    private static String threadCpu() {
        java.util.Map<String, Long> ms = new java.util.TreeMap<>();
        try (var tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = java.nio.file.Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    String kind = comm.replaceAll("[0-9#]+", "").replaceAll("\\s+$", "");
                    ms.merge(kind, ticks * 10, Long::sum); // USER_HZ is 100 on Linux
                } catch (java.io.IOException | RuntimeException e) {
                    // a thread that ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return "unavailable";
        }
        StringBuilder b = new StringBuilder();
        ms.entrySet().stream().filter(e -> e.getValue() > 0).sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                .forEach(e -> b.append(e.getKey()).append('=').append(e.getValue()).append(' '));
        return b.toString().trim();
    }
}
