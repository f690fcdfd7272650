package dev.wharf.bench;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ChecksumCache;
import dev.wharf.context.checksum.ContextChecksummer;
import dev.wharf.context.checksum.ContextSnapshot;
import dev.wharf.context.checksum.Digest;
import dev.wharf.context.checksum.Selector;
import dev.wharf.context.ignore.PatternMatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The content checksum of a 1,000-file context as {@code COPY . /app} keys on it: cold (every file read and hashed,
 * a fresh checksum cache each time) and warm (the cache of a previous run: only stat data is checked), each with the
 * scan of the context.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ContextChecksumBenchmark {
    private Path work;
    private Path context;
    private ChecksumCache warmCache;

    @Setup(Level.Trial)
    public void setUp() throws IOException, ContextException {
        work = Files.createTempDirectory("wharf-ctxbench");
        context = BenchTrees.write(work.resolve("ctx"), 20, 50, 7);
        warmCache = ChecksumCache.inMemory(1_000_000);
        checksum(warmCache);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        BenchTrees.delete(work);
    }

    private Digest checksum(ChecksumCache cache) throws ContextException {
        ContextSnapshot snapshot = ContextSnapshot.scan(context, PatternMatcher.of(List.of()));
        return new ContextChecksummer(cache, true, Clock.systemUTC()).checksum(snapshot,
                Selector.copySource(".", List.of()));
    }

    @Benchmark
    public Digest cold() throws ContextException {
        return checksum(ChecksumCache.inMemory(1_000_000));
    }

    @Benchmark
    public Digest warm() throws ContextException {
        return checksum(warmCache);
    }
}
