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
     * {@code ContextChecksumBench CONTEXT_DIR CACHE_DIR}.
     *
     * @throws ContextException when the context or the cache cannot be read
     */
    public static void main(String[] args) throws ContextException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ContextChecksumBench CONTEXT_DIR CACHE_DIR");
        }
        long start = System.nanoTime();
        ChecksumCache cache = ChecksumCache.persistent(Path.of(args[1]), 10_000_000L);
        ContextSnapshot snapshot = ContextSnapshot.scan(Path.of(args[0]), PatternMatcher.of(List.of()));
        Digest digest = new ContextChecksummer(cache, true, Clock.systemUTC()).checksum(snapshot,
                Selector.copySource(".", List.of()));
        cache.persist();
        long millis = (System.nanoTime() - start) / 1_000_000L;
        System.out.println("millis=" + millis + " digest=" + digest);
    }
}
