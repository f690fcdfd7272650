package dev.wharf.bench;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.layer.LayerChange;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.layer.LayerWriterOptions;
import dev.wharf.layers.layer.TreeScanner;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The tar writer on a 1,000-file, ~8 MB tree: the scan of the tree into layer entries, and writing those entries as
 * an uncompressed tar to a null stream (file reads, headers, PAX records; no compression, no store).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TarWriterBenchmark {
    private Path work;
    private Path tree;
    private TreeScanner scanner;
    private LayerWriter writer;
    private List<LayerChange> changes;

    @Setup(Level.Trial)
    public void setUp() throws IOException, LayerException {
        work = Files.createTempDirectory("wharf-tarbench");
        tree = BenchTrees.write(work.resolve("tree"), 20, 50, 42);
        scanner = new TreeScanner(PosixFiles.system());
        writer = new LayerWriter(FileBlobStore.open(work.resolve("blobs")), scanner,
                LayerWriterOptions.of(LayerCompression.none()), Runnable::run);
        changes = scanner.scanTree(tree);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        BenchTrees.delete(work);
    }

    @Benchmark
    public List<LayerChange> scanTree() throws LayerException {
        return scanner.scanTree(tree);
    }

    @Benchmark
    public void writeTar() throws IOException {
        writer.writeTar(changes, OutputStream.nullOutputStream());
    }
}
