package dev.wharf.bench;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.layer.ApplyResult;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.layer.LayerWriterOptions;
import dev.wharf.layers.layer.TreeScanner;
import dev.wharf.layers.layout.FileTrees;
import dev.wharf.layers.posix.PosixFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The wharf side of {@code bench/layers.sh}: creates a layer from a tree, or applies a layer to a directory, timing
 * each iteration inside the JVM. Not a JMH benchmark: the peers are command-line tools, so each run is a whole
 * operation, and the script also times fresh JVMs from outside.
 *
 * <p>Usage: {@code LayerBench create gzip|zstd|none TREE WORKDIR ITERATIONS} or
 * {@code LayerBench apply LAYER TARGET_PARENT ITERATIONS}, or {@code LayerBench classes SMALL_TREE WORKDIR} (one run
 * of each case over a small tree, to make a class-data archive). Each iteration prints one line
 * {@code iteration=I ms=M bytes=B uncompressed=U cpums=C} on stdout (C: CPU time of the whole process, user and
 * system, during the iteration, to 10 ms); a first iteration of several is a warm-up only when the
 * caller discards it. Create writes into a blob store under WORKDIR, made by the first run and emptied of the previous
 * run's layer before each (see {@link #removeLayers}), and, for {@code none}, leaves the
 * last layer tar at {@code WORKDIR/layer.tar} for the apply runs. Apply unpacks into a fresh directory under
 * TARGET_PARENT each time and leaves every tree for the caller to delete after all runs: deleting thousands of files
 * right before the next iteration would slow its creates (ext4 skips inodes freed in the last ~30 s, scanning past
 * them), and a fresh-JVM run timed from outside does not include deleting the tree, just as {@code tar -x} does not. Before each
 * timed iteration but the first it runs {@code sync}, so writeback of the previous iteration's files does not land
 * on the next one (the script syncs before each fresh-JVM and peer run).
 */
public final class LayerBench {
    private LayerBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 4 && args.length != 3) {
            System.err.println("usage: LayerBench create gzip|zstd|none TREE WORKDIR ITERATIONS\n"
                    + "       LayerBench apply LAYER TARGET_PARENT ITERATIONS\n"
                    + "       LayerBench classes SMALL_TREE WORKDIR");
            System.exit(2);
        }
        if (args[0].equals("classes") && args.length == 3) {
            // One small run of every case, so that a class-data archive dumped at exit holds what they load.
            Path tree = Path.of(args[1]);
            Path work = Path.of(args[2]);
            for (String compression : new String[] {"gzip", "zstd", "none"}) {
                create(compression, tree, work.resolve(compression), 1);
            }
            apply(work.resolve("none").resolve("layer.tar"), Files.createDirectories(work.resolve("apply")), 1);
        } else if (args[0].equals("create") && args.length == 5) {
            create(args[1], Path.of(args[2]), Path.of(args[3]), Integer.parseInt(args[4]));
        } else if (args[0].equals("apply") && args.length == 4) {
            apply(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]));
        } else {
            System.err.println("unknown mode " + args[0]);
            System.exit(2);
        }
    }

    private static void create(String compression, Path tree, Path workDir, int iterations) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        LayerCompression chosen = switch (compression) {
            // wharf's default: gzip level 6 compressed in parallel blocks on every core.
            case "gzip" -> LayerCompression.gzip(LayerCompression.DEFAULT_GZIP_LEVEL, threads);
            case "zstd" -> LayerCompression.zstd(LayerCompression.DEFAULT_ZSTD_LEVEL, threads);
            case "none" -> LayerCompression.none();
            default -> throw new IllegalArgumentException("compression must be gzip, zstd or none: " + compression);
        };
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            PosixFiles posix = PosixFiles.system();
            for (int i = 1; i <= iterations; i++) {
                Path storeDir = workDir.resolve("store");
                removeLayers(storeDir);
                syncAfterFirst(i);
                long cpu = processCpuNanos();
                long start = System.nanoTime();
                FileBlobStore store = FileBlobStore.open(storeDir);
                LayerBlob layer = new LayerWriter(store, new TreeScanner(posix), LayerWriterOptions.of(chosen), pool)
                        .writeTree(tree);
                long nanos = System.nanoTime() - start;
                report(i, nanos, layer.descriptor().size(), layer.uncompressedSize(), processCpuNanos() - cpu);
                if (i == iterations && compression.equals("none")) {
                    try (InputStream in = store.open(layer.descriptor().digest());
                         OutputStream out = Files.newOutputStream(workDir.resolve("layer.tar"))) {
                        in.transferTo(out);
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Removes the layers an earlier run left in the store at {@code storeDir}, keeping the store itself: a build
     * writes its layers into a store that exists (made once, with its directories and {@code oci-layout} fsynced),
     * as {@code zstd -o} writes into an existing directory, removing only its previous output ({@code -f}). A new
     * store per run made every fresh-JVM run create and fsync one before its layer, work no build repeats.
     */
    private static void removeLayers(Path storeDir) throws IOException {
        Path blobs = storeDir.resolve("blobs").resolve("sha256");
        if (!Files.isDirectory(blobs)) {
            FileTrees.delete(storeDir);
            return;
        }
        try (java.nio.file.DirectoryStream<Path> layers = Files.newDirectoryStream(blobs)) {
            for (Path layer : layers) {
                Files.delete(layer);
            }
        }
    }

    /**
     * The process's CPU time (user and system, all threads) from /proc, in clock ticks (10 ms). Not through JMX: in
     * a fresh JVM its set-up (OperatingSystemMXBean, the platform MBeans) took tens of milliseconds of the run being
     * timed from outside, work that no wharf command does.
     */
    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /**
     * Prints one iteration's line, {@code iteration=I ms=M bytes=B uncompressed=U cpums=C}, by concatenation: a
     * Formatter (printf) costs a fresh JVM some milliseconds of regex and float-formatting set-up.
     */
    private static void report(int iteration, long nanos, long bytes, long uncompressed, long cpuNanos) {
        long tenths = Math.round(nanos / 1e5);
        System.out.println("iteration=" + iteration + " ms=" + tenths / 10 + "." + tenths % 10 + " bytes=" + bytes
                + " uncompressed=" + uncompressed + " cpums=" + Math.round(cpuNanos / 1e6));
    }

    /** Runs {@code sync} before iterations after the first (the caller syncs before the first). */
    private static void syncAfterFirst(int iteration) throws IOException {
        if (iteration == 1) {
            return;
        }
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while syncing", e);
        }
    }

    private static void apply(Path layer, Path parent, int iterations) throws IOException, LayerException {
        LayerApplier applier = new LayerApplier(PosixFiles.system());
        for (int i = 1; i <= iterations; i++) {
            Path target = parent.resolve("wharf-apply-" + i);
            // Normally absent (the caller gives a fresh parent); a tree left by an earlier run is moved aside, not
            // deleted, for the reason above.
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.move(target, parent.resolve("wharf-apply-" + i + "-old-" + System.nanoTime()));
            }
            Files.createDirectories(target);
            syncAfterFirst(i);
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            ApplyResult result;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(layer), 1 << 16)) {
                result = applier.apply(in, target);
            }
            long nanos = System.nanoTime() - start;
            report(i, nanos, Files.size(layer), result.contentBytes(), processCpuNanos() - cpu);
        }
    }
}
