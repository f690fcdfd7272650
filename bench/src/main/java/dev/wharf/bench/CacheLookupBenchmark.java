package dev.wharf.bench;

import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheKey;
import dev.wharf.cache.CacheKeyInputs;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.CacheStoreOptions;
import dev.wharf.cache.FileCacheStore;
import dev.wharf.cache.StepIdentity;
import dev.wharf.cache.StepParent;
import dev.wharf.cache.StepResult;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.layer.LayerBlob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
 * The step cache's hot path on a store of 1,000 records: computing a RUN step's key from its inputs (canonical JSON
 * and SHA-256), a hit, a miss, and a hit in a freshly opened store (the record read from disk, as a new CLI process
 * does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CacheLookupBenchmark {
    private static final int RECORDS = 1_000;
    private static final Digest BASE = Digest.sha256Of("base image".getBytes(StandardCharsets.UTF_8));

    private Path root;
    private FileCacheStore store;
    private CacheKeyInputs hitInputs;
    private CacheKey hit;
    private CacheKey miss;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException, CacheException {
        root = Files.createTempDirectory("wharf-cachebench");
        store = FileCacheStore.open(root, CacheStoreOptions.defaults());
        for (int i = 0; i < RECORDS; i++) {
            CacheKeyInputs inputs = run(i);
            Digest blob = Digest.sha256Of(("blob" + i).getBytes(StandardCharsets.UTF_8));
            LayerBlob layer = new LayerBlob(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, blob, 1000), blob, 3000);
            store.save(inputs, StepResult.of(List.of(layer), "{}"));
        }
        hitInputs = run(RECORDS / 2);
        hit = hitInputs.key();
        miss = run(RECORDS + 1).key();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        BenchTrees.delete(root);
    }

    private static CacheKeyInputs run(int i) {
        String command = "make -j4 target" + i;
        return CacheKeyInputs.builder(StepIdentity.forStep("Dockerfile", "build", 3), StepParent.image(BASE), "RUN")
                .text("RUN " + command)
                .instruction("cmd", "/bin/sh", "-c", command)
                .instruction("env", "PATH=/usr/local/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java")
                .platform(Platform.of("linux", "amd64"))
                .build();
    }

    @Benchmark
    public CacheKey key() {
        return hitInputs.key();
    }

    @Benchmark
    public Optional<CacheRecord> hit() throws CacheException {
        return store.lookup(hit);
    }

    @Benchmark
    public Optional<CacheRecord> miss() throws CacheException {
        return store.lookup(miss);
    }

    @Benchmark
    public Optional<CacheRecord> hitInAFreshStore() throws CacheException {
        // A different record each time, so the lookup reads its file, as the first lookup of a new process does.
        next = (next + 1) % RECORDS;
        return FileCacheStore.open(root, CacheStoreOptions.defaults()).lookup(run(next).key());
    }
}
