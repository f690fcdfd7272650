package dev.wharf.bench;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineOptions;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The embedded cached rebuild of issue #6: one warm JVM builds a context once through the Java API, then times
 * {@code N} fully cached rebuilds of it on the same engine and prints their median and p90 in milliseconds.
 *
 * <p>Usage: {@code CachedRebuildBench STORE_ROOT CONTEXT TAG [N] [WARMUP]}. Every rebuild must give the first
 * build's image id, or the run fails: a fast rebuild that builds something else measures nothing. The process's CPU
 * time per rebuild (all threads, GC and JIT included) is printed too: on a loaded machine it moves less than wall
 * time (the OS counts it in 10 ms ticks, so the mean over all rebuilds is the finer figure). Run by
 * {@code bench/cached.sh}.
 */
public final class CachedRebuildBench {

    private CachedRebuildBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: CachedRebuildBench STORE_ROOT CONTEXT TAG [N] [WARMUP]");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        Path context = Path.of(args[1]);
        String tag = args[2];
        int n = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                ManagementFactory.getOperatingSystemMXBean();
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(root))) {
            BuildRequest request = BuildRequest.builder(context).tag(tag).build();
            long first = System.nanoTime();
            BuildResult initial = engine.build(request).get();
            double firstMs = (System.nanoTime() - first) / 1e6;
            String id = initial.imageId();
            for (int i = 0; i < warmup; i++) {
                check(id, engine.build(request).get());
            }
            double[] ms = new double[n];
            double[] cpu = new double[n];
            long cpuTotal = os.getProcessCpuTime();
            for (int i = 0; i < n; i++) {
                long cpuStart = os.getProcessCpuTime();
                long start = System.nanoTime();
                BuildResult result = engine.build(request).get();
                ms[i] = (System.nanoTime() - start) / 1e6;
                cpu[i] = (os.getProcessCpuTime() - cpuStart) / 1e6;
                check(id, result);
            }
            double cpuMean = (os.getProcessCpuTime() - cpuTotal) / 1e6 / n;
            Arrays.sort(ms);
            Arrays.sort(cpu);
            System.out.printf("first %.1f ms, cached rebuilds n=%d (after %d warm-up): wall median %.2f ms, p90 %.2f ms,"
                    + " min %.2f ms, max %.2f ms; process CPU per rebuild median %.2f ms, p90 %.2f ms, mean %.2f ms; image %s%n",
                    firstMs, n, warmup, percentile(ms, 0.5), percentile(ms, 0.9), ms[0], ms[n - 1],
                    percentile(cpu, 0.5), percentile(cpu, 0.9), cpuMean, id);
        }
    }

    private static void check(String id, BuildResult result) {
        if (!id.equals(result.imageId())) {
            throw new IllegalStateException("cached rebuild gave " + result.imageId() + ", first build " + id);
        }
    }

    private static double percentile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
