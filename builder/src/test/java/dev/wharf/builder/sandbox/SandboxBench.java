package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.builder.testing.BusyboxRootfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Per-RUN overhead, for the numbers in issue 5 (a bench, not a test): prepare a snapshot, run {@code true}, compute
 * the (empty) diff and remove the snapshot, with each runtime, against a bare
 * {@code unshare --mount --pid --fork --uts --ipc chroot ROOTFS true}. Prints the median of N runs per variant.
 * Run as root: {@code java -cp <test classpath> dev.wharf.builder.sandbox.SandboxBench [N]}.
 */
public final class SandboxBench {
    private SandboxBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Path temp = Files.createTempDirectory("wharf-bench");
        OverlaySnapshotter snapshotter = new OverlaySnapshotter(temp.resolve("snapshots"));
        List<Mount> extract = snapshotter.prepare("extract", null);
        Path base = Path.of(extract.get(0).writableDir().orElseThrow());
        BusyboxRootfs.extract(base);
        snapshotter.commit("base", "extract");
        Path baseFs = Path.of(snapshotter.view("probe", "base").get(0).source());
        Path hosts = EtcFiles.writeHosts(temp.resolve("hosts"), "");
        Path resolv = Files.writeString(temp.resolve("resolv.conf"), "");

        double bare = median(n, () -> {
            Process p = new ProcessBuilder("unshare", "--mount", "--pid", "--fork", "--uts", "--ipc", "chroot",
                    baseFs.toString(), "true").start();
            p.waitFor(30, TimeUnit.SECONDS);
        });
        System.out.printf("bare unshare+chroot true: %.1f ms%n", bare);
        int[] snap = {0};
        double snapshotOnly = median(n, () -> {
            String k = "snap-" + snap[0]++;
            snapshotter.prepare(k, "base");
            snapshotter.changes(k);
            snapshotter.remove(k);
        });
        System.out.printf("snapshot prepare+changes+remove alone: %.1f ms%n", snapshotOnly);
        OciSpecFactory.HostFacts facts = new OciSpecFactory.HostFacts(HostLimits.current(), false);
        List<Sandbox> sandboxes = new ArrayList<>();
        sandboxes.add(new UnshareSandbox(temp.resolve("state-builtin"), Executables.fromEnvironment(),
                HostLimits.current()));
        for (String runtime : List.of("runc", "crun")) {
            Executables.fromEnvironment().find(runtime).ifPresent(path -> {
                try {
                    sandboxes.add(new OciRuntimeSandbox(runtime, path, temp.resolve("state"),
                            Executables.fromEnvironment(), facts));
                } catch (SandboxException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        int[] key = {0};
        for (Sandbox sandbox : sandboxes) {
            double t = median(n, () -> {
                String k = "bench-" + key[0]++;
                List<Mount> rootfs = snapshotter.prepare(k, "base");
                SandboxSpec spec = SandboxSpec.builder(rootfs, List.of("/bin/true"), hosts, resolv).build();
                ExitStatus s = sandbox.run(spec, OutputListener.discard());
                if (!s.success()) {
                    throw new IllegalStateException(sandbox.name() + " failed: " + s);
                }
                snapshotter.changes(k);
                snapshotter.remove(k);
            });
            System.out.printf("%s full RUN cycle: %.1f ms (%.1fx bare)%n", sandbox.name(), t, t / bare);
        }
        dev.wharf.layers.layout.FileTrees.delete(temp);
    }

    interface Step {
        void run() throws Exception;
    }

    private static double median(int n, Step step) throws Exception {
        step.run();
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[n / 2];
    }
}
