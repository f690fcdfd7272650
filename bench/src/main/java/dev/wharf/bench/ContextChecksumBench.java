package dev.wharf.bench;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ChecksumCache;
import dev.wharf.context.checksum.ContextChecksummer;
import dev.wharf.context.checksum.ContextSnapshot;
import dev.wharf.context.checksum.Digest;
import dev.wharf.context.checksum.Selector;
import dev.wharf.context.ignore.DockerIgnore;
import dev.wharf.context.ignore.PatternMatcher;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * One content checksum of a whole build context, as a fresh CLI process would take it: load the persisted checksum
 * cache, scan the context (after its .dockerignore, if any), checksum {@code COPY . /}, persist the cache. Run by {@code bench/context.sh}, which
 * times the whole process; this class prints its own in-process time and the digest on one line
 * ({@code millis=N digest=sha256:...}) so runs can be checked against each other. Not a unit test, not JMH: the
 * interesting number includes JVM start and cache loading. Holds no state.
 */
public final class ContextChecksumBench {

    private ContextChecksumBench() {
    }

    /**
     * CPU time of the whole process (all threads, JIT and GC included), in nanoseconds, in clock ticks (10 ms): the
     * utime and stime fields of /proc/self/stat, read by hand. Not through the management beans, whose classes cost a
     * fresh JVM some 25 ms, nor through ProcessHandle.info(), whose first call took 5 ms of the timed process's wall
     * clock before the checksum started (it reads the command line and user too); 0 where /proc cannot be read.
     */
    private static long cpu() {
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/stat")) {
            byte[] b = in.readNBytes(1024);
            int at = b.length - 1;
            while (at > 0 && b[at] != ')') {
                at--;
            }
            // Fields after the command's closing parenthesis: state is field 3, utime 14 and stime 15.
            long[] f = new long[16];
            int field = 2;
            for (int i = at + 2; i < b.length && field < 16; i++) {
                if (b[i] == ' ') {
                    field++;
                } else if (b[i] >= '0' && b[i] <= '9' && field >= 14) {
                    f[field] = f[field] * 10 + (b[i] - '0');
                }
            }
            return (f[14] + f[15]) * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (java.io.IOException | RuntimeException e) {
            return 0L;
        }
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
        // The context's .dockerignore, if it has one, as a build reads it (bench/context.sh IGNORE=...).
        PatternMatcher excludes = PatternMatcher.of(DockerIgnore.patterns(Path.of(args[0]), Optional.empty()));
        ContextSnapshot snapshot = ContextSnapshot.scan(Path.of(args[0]), excludes, cache);
        long scanned = System.nanoTime();
        long c2 = cpu();
        Digest digest = new ContextChecksummer(cache, true, Clock.systemUTC()).checksum(snapshot,
                Selector.copySource(".", List.of()));
        long summed = System.nanoTime();
        long c3 = cpu();
        cache.persist();
        long end = System.nanoTime();
        long c4 = cpu();
        // Appended by hand: string concatenation and printf would spin classes (invokedynamic, Formatter's regular
        // expressions) in the timed process, a cost that is the benchmark's own, not the checksum's.
        System.out.println(new StringBuilder("millis=").append((end - start) / 1_000_000L).append(" digest=")
                .append(digest.toString()));
        // The phases, for finding where the time goes (stderr: the script keeps stdout).
        System.err.println(new StringBuilder("wall ms: load=").append((loaded - start) / 1_000_000L)
                .append(" scan=").append((scanned - loaded) / 1_000_000L)
                .append(" checksum=").append((summed - scanned) / 1_000_000L)
                .append(" persist=").append((end - summed) / 1_000_000L)
                .append("; process cpu ms: before=").append(c0 / 1_000_000L)
                .append(" load=").append((c1 - c0) / 1_000_000L)
                .append(" scan=").append((c2 - c1) / 1_000_000L)
                .append(" checksum=").append((c3 - c2) / 1_000_000L)
                .append(" persist=").append((c4 - c3) / 1_000_000L));
        // Per thread only when asked (bench/context.sh THREADS=1): reading /proc/self/task took some 3 ms of the
        // timed process's wall clock, the benchmark's own cost.
        if (Boolean.getBoolean("wharf.bench.threads")) {
            System.err.println(new StringBuilder("thread cpu ms: ").append(threadCpu()));
        }
    }

    /**
     * CPU time per kind of thread from /proc/self/task (Linux): the JIT compilers and GC are not Java threads, and
     * in a fresh JVM they take a large share of a short run's CPU. Without streams, lambdas or regular expressions,
     * whose first use would add their own start-up cost to the timed process.
     */
    private static String threadCpu() {
        java.util.Map<String, Long> ms = new java.util.TreeMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return "unavailable";
        }
        for (java.io.File t : tasks) {
            try {
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                StringBuilder kind = new StringBuilder();
                for (int i = 0; i < comm.length(); i++) {
                    char c = comm.charAt(i);
                    if ((c < '0' || c > '9') && c != '#') {
                        kind.append(c);
                    }
                }
                String k = kind.toString().trim();
                Long before = ms.get(k);
                ms.put(k, (before == null ? 0 : before) + ticks * 10); // USER_HZ is 100 on Linux
            } catch (java.io.IOException | RuntimeException e) {
                // a thread that ended meanwhile
            }
        }
        StringBuilder b = new StringBuilder();
        while (!ms.isEmpty()) {
            String top = null;
            for (java.util.Map.Entry<String, Long> e : ms.entrySet()) {
                if (top == null || e.getValue() > ms.get(top)) {
                    top = e.getKey();
                }
            }
            long v = ms.remove(top);
            if (v > 0) {
                b.append(top).append('=').append(v).append(' ');
            }
        }
        return b.toString().trim();
    }
}
