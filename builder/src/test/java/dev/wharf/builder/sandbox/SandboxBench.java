package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.builder.testing.BusyboxRootfs;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Per-RUN overhead, for the numbers in issue 5 (a bench, not a test; {@code bench/sandbox.sh} runs it).
 *
 * <p>First measurement: a full RUN cycle (prepare a snapshot, start the sandbox, run {@code /bin/true}, wait, release
 * it, compute the empty diff, remove the snapshot) with each runtime, against a bare
 * {@code unshare --mount --pid --fork --uts --ipc chroot ROOTFS true}; the variants alternate within each round so
 * that the machine's load drifts over all of them alike. Second: a RUN that writes one file on a 10 MB base and on a
 * 1 GB base (busybox plus 1 MB files), alternating, with the default runtime; the step must not grow with the base.
 * Prints a Markdown table of medians and ratios. Run as root:
 * {@code java -cp <test classpath> dev.wharf.builder.sandbox.SandboxBench [N] [BIG_MB]}.
 */
public final class SandboxBench {
    /** Untimed rounds of every variant before the timed ones ({@code -Dbench.warmup}; the script's WARMUP). */
    private static final int WARMUP = Integer.getInteger("bench.warmup", 20);

    private SandboxBench() {
    }

    interface Step {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int bigMb = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        Path temp = Files.createTempDirectory(Path.of(System.getProperty("bench.tmp", "/var/tmp")), "wharf-bench");
        try {
            run(n, bigMb, temp);
        } finally {
            dev.wharf.layers.layout.FileTrees.delete(temp);
            // The floor runs' cgroupsPath is <parent>/floor/ctr: the runtimes remove ctr, not its parent.
            CgroupDirs.remove(OciSpecFactory.DEFAULT_CGROUP_PARENT, "floor");
        }
    }

    private static void run(int n, int bigMb, Path temp) throws Exception {
        OverlaySnapshotter snapshotter = new OverlaySnapshotter(temp.resolve("snapshots"));
        base(snapshotter, "small", 10);
        Path baseFs = Path.of(snapshotter.view("probe", "small").get(0).source());
        Path hosts = EtcFiles.writeHosts(temp.resolve("hosts"), "");
        Path resolv = Files.writeString(temp.resolve("resolv.conf"), "");
        OciSpecFactory.HostFacts facts = new OciSpecFactory.HostFacts(HostLimits.current(), false);
        List<Sandbox> sandboxes = new ArrayList<>();
        UnshareSandbox builtin = new UnshareSandbox(temp.resolve("state-builtin"), Executables.fromEnvironment(),
                HostLimits.current());
        sandboxes.add(builtin);
        // The shell path, for the comparison: what the built-in sandbox does without the native helper.
        UnshareSandbox shellPath = new UnshareSandbox(temp.resolve("state-builtin-shell"),
                Executables.fromEnvironment(), HostLimits.current(), false, false);
        for (String runtime : List.of("runc", "crun")) {
            var path = Executables.fromEnvironment().find(runtime);
            if (path.isPresent()) {
                sandboxes.add(new OciRuntimeSandbox(runtime, path.get(), temp.resolve("state"),
                        Executables.fromEnvironment(), facts));
            }
        }
        int[] key = {0};
        Map<String, Step> variants = new LinkedHashMap<>();
        variants.put("bare unshare+chroot true", () -> {
            Process p = new ProcessBuilder("unshare", "--mount", "--pid", "--fork", "--uts", "--ipc", "chroot",
                    baseFs.toString(), "true").start();
            p.waitFor(30, TimeUnit.SECONDS);
        });
        variants.put("snapshot prepare+diff+remove only", () -> {
            String k = "snap-" + key[0]++;
            snapshotter.prepare(k, "small");
            snapshotter.changes(k);
            snapshotter.remove(k);
        });
        for (Sandbox sandbox : sandboxes) {
            String name = sandbox == builtin && builtin.usesNativeHelper() ? "builtin (native helper)"
                    : sandbox.name();
            variants.put(name + " RUN true", () -> cycle(snapshotter, sandbox, "small", "/bin/true",
                    hosts, resolv, "bench-" + key[0]++));
        }
        if (builtin.usesNativeHelper()) {
            // A build's RUN has the host's network unless --network=none (StepRunner, as BuildKit without CNI);
            // the rows above have their own network namespace, whose creation and teardown the kernel charges.
            variants.put("builtin (native helper) RUN true, host network", () -> cycle(snapshotter, builtin,
                    "small", "/bin/true", hosts, resolv, "bench-" + key[0]++, NetworkMode.HOST));
            variants.put("builtin (shell path) RUN true", () -> cycle(snapshotter, shellPath, "small", "/bin/true",
                    hosts, resolv, "bench-" + key[0]++));
        }
        var runcPath = Executables.fromEnvironment().find("runc");
        if (runcPath.isPresent()) {
            // runc started the shell way (setpriv, unshare, sh, mount), for the comparison with the helper.
            Sandbox runcShell = new OciRuntimeSandbox("runc", runcPath.get(), temp.resolve("state-shell"),
                    Executables.fromEnvironment(), facts, new OciSpecFactory(), false);
            variants.put("runc (shell path) RUN true", () -> cycle(snapshotter, runcShell, "small", "/bin/true",
                    hosts, resolv, "bench-" + key[0]++));
        }
        // The runtimes' own floor: `<runtime> run` of /bin/true on a bundle made once (wharf's config.json for the
        // same step, a busybox directory of its own as the read-only root), no wharf in between.
        base(snapshotter, "floor", 0);
        Path floorFs = Path.of(snapshotter.view("floor-probe", "floor").get(0).source());
        for (String runtime : List.of("runc", "crun")) {
            var path = Executables.fromEnvironment().find(runtime);
            if (path.isPresent()) {
                Path bundle = bundle(temp.resolve("bundle-" + runtime), floorFs, hosts, resolv, facts);
                Path state = Files.createDirectories(temp.resolve("floor-state-" + runtime));
                List<String> command = new ArrayList<>(List.of(path.get().toString(), "--root", state.toString(),
                        "run", "--bundle", bundle.toString()));
                boolean hybrid = Files.isDirectory(Path.of("/sys/fs/cgroup/unified"));
                if (runtime.equals("crun") && hybrid) {
                    // crun 1.8 refuses a cgroup hybrid host: as in wharf, it runs in a mount namespace where the
                    // unified hierarchy is unmounted (this costs the floor three process starts).
                    command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--", "sh",
                            "-c", "umount /sys/fs/cgroup/unified && exec \"$@\"", "sh"));
                    command.addAll(List.of(path.get().toString(), "--root", state.toString(), "run", "--bundle",
                            bundle.toString()));
                }
                List<String> base = command;
                String label = runtime + " run true alone (runtime floor"
                        + (runtime.equals("crun") && hybrid ? ", in unshare+sh+umount for the hybrid host)" : ")");
                variants.put(label, () -> {
                    List<String> argv = new ArrayList<>(base);
                    argv.add("floor-" + key[0]++);
                    Process p = new ProcessBuilder(argv)
                            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                        throw new IllegalStateException(runtime + " run failed: " + p.exitValue());
                    }
                });
            }
        }
        Map<String, double[]> cpu = new LinkedHashMap<>();
        Map<String, double[]> times = alternate(n, variants, cpu);
        double bare = median(times.get("bare unshare+chroot true"));
        double bareCpu = mean(cpu.get("bare unshare+chroot true"));
        StringBuilder out = new StringBuilder();
        out.append("| per-RUN cycle (N=").append(n).append(", alternating) | median ms | ratio to bare unshare"
                + " | CPU ms (mean; JVM + children) | CPU ratio |\n");
        out.append("|---|---:|---:|---:|---:|\n");
        times.forEach((name, t) -> out.append(String.format("| %s | %.1f | %.1fx | %.1f | %.1fx |%n", name,
                median(t), median(t) / bare, mean(cpu.get(name)), mean(cpu.get(name)) / bareCpu)));

        base(snapshotter, "big", bigMb);
        Sandbox main = sandboxes.get(sandboxes.size() > 1 ? 1 : 0);
        Map<String, Step> sizes = new LinkedHashMap<>();
        for (String b : List.of("small", "big")) {
            sizes.put(b, () -> cycle(snapshotter, main, b, "echo x > /one-file", hosts, resolv, "w-" + key[0]++));
        }
        Map<String, double[]> written = alternate(n, sizes, new LinkedHashMap<>());
        double small = median(written.get("small"));
        double big = median(written.get("big"));
        out.append(String.format("%n| RUN writing one file (%s, N=%d, alternating) | median ms |%n", main.name(), n));
        out.append("|---|---:|\n");
        out.append(String.format("| on a 10 MB base | %.1f |%n| on a %d MB base | %.1f |%n", small, bigMb, big));
        out.append(String.format("| ratio big/small (goal: within 1.2) | %.2f |%n", big / small));
        System.out.print(out);
    }

    private static void cycle(OverlaySnapshotter snapshotter, Sandbox sandbox, String base, String script, Path hosts,
                              Path resolv, String k) throws Exception {
        cycle(snapshotter, sandbox, base, script, hosts, resolv, k, NetworkMode.NONE);
    }

    private static void cycle(OverlaySnapshotter snapshotter, Sandbox sandbox, String base, String script, Path hosts,
                              Path resolv, String k, NetworkMode network) throws Exception {
        List<Mount> rootfs = snapshotter.prepare(k, base);
        List<String> argv = script.startsWith("/") ? List.of(script) : List.of("/bin/sh", "-c", script);
        ExitStatus s = sandbox.run(SandboxSpec.builder(rootfs, argv, hosts, resolv).network(network).build(),
                OutputListener.discard());
        if (!s.success()) {
            throw new IllegalStateException(sandbox.name() + " failed: " + s);
        }
        snapshotter.changes(k);
        snapshotter.remove(k);
    }

    /** A bundle whose config.json is wharf's spec of a RUN /bin/true step with {@code rootfs} as read-only root. */
    private static Path bundle(Path dir, Path rootfs, Path hosts, Path resolv, OciSpecFactory.HostFacts facts)
            throws Exception {
        Files.createDirectories(dir);
        SandboxSpec spec = SandboxSpec.builder(List.of(Mount.bind(rootfs.toString(), true)), List.of("/bin/true"),
                hosts, resolv).build();
        OciSpec config = new OciSpecFactory().create(spec, "floor", rootfs.toString(), facts);
        Files.write(dir.resolve("config.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsBytes(config));
        return dir;
    }

    /** A committed snapshot {@code name}: busybox plus 1 MB files up to about {@code mb} megabytes. */
    private static void base(OverlaySnapshotter snapshotter, String name, int mb) throws Exception {
        List<Mount> extract = snapshotter.prepare(name + "-extract", null);
        Path fs = Path.of(extract.get(0).writableDir().orElseThrow());
        BusyboxRootfs.extract(fs);
        byte[] block = new byte[1 << 20];
        new java.util.Random(42).nextBytes(block);
        for (int i = 0; i < mb; i++) {
            Path dir = Files.createDirectories(fs.resolve("data/d" + (i / 100)));
            try (OutputStream o = Files.newOutputStream(dir.resolve("f" + i))) {
                o.write(block);
            }
        }
        snapshotter.commit(name, name + "-extract");
    }

    /** Wall times per variant; {@code cpu} gets the CPU time of this JVM and its waited-for children per run. */
    private static Map<String, double[]> alternate(int n, Map<String, Step> variants, Map<String, double[]> cpu)
            throws Exception {
        Map<String, double[]> times = new LinkedHashMap<>();
        // Untimed rounds first, alternating as the timed ones: the JIT compiles each variant's Java code (wharf's
        // side of a RUN is a few thousand lines, unshare's a ProcessBuilder call), so a single warm-up run left the
        // timed runs of the wharf variants partly interpreted and sharing the cores with the compiler threads.
        for (int i = 0; i < WARMUP; i++) {
            for (Step step : variants.values()) {
                step.run();
            }
        }
        for (var e : variants.entrySet()) {
            times.put(e.getKey(), new double[n]);
            cpu.put(e.getKey(), new double[n]);
        }
        List<String> order = new ArrayList<>(variants.keySet());
        for (int i = 0; i < n; i++) {
            for (String name : order) {
                double c0 = cpuMillis();
                long t0 = System.nanoTime();
                variants.get(name).run();
                times.get(name)[i] = (System.nanoTime() - t0) / 1e6;
                cpu.get(name)[i] = cpuMillis() - c0;
            }
            java.util.Collections.reverse(order);
        }
        return times;
    }

    /**
     * utime + stime + cutime + cstime of this process from {@code /proc/self/stat}, in ms. The kernel counts in
     * clock ticks (10 ms), so only the mean over many runs means something.
     */
    private static double cpuMillis() throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14-17 of proc(5); f[0] is field 3.
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks * 10.0;
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
