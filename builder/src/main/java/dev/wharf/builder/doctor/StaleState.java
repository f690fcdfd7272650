package dev.wharf.builder.doctor;

import dev.wharf.builder.sandbox.Executables;
import dev.wharf.builder.sandbox.OciSpecFactory;
import dev.wharf.builder.sandbox.RuntimeChoice;
import dev.wharf.builder.sandbox.SandboxException;
import dev.wharf.builder.sandbox.SandboxSelector;
import dev.wharf.builder.sandbox.StaleCgroups;
import dev.wharf.builder.snapshot.SnapshotException;
import dev.wharf.builder.snapshot.SnapshotInfo;
import dev.wharf.builder.snapshot.Snapshotter;
import dev.wharf.layers.layout.StoreUsers;
import dev.wharf.layers.store.StoreProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What killed builds leave outside the blobs and the cache: snapshots prepared and never committed or removed,
 * sandbox state directories (bundles, runtime state, cgroups) of runs whose JVM died, mounts under the store root
 * and sandbox processes of dead runs. Sandboxes tie their processes to the JVM (parent-death signal, PID namespace)
 * and mount only in private namespaces, so the last two should never be found; they are checked because the issue
 * that would leave them is exactly what a check is for.
 *
 * <p>A snapshot carries no owner, so active snapshots are stale only when no other wharf process uses the store
 * ({@link dev.wharf.layers.layout.StoreUsers}); callers decide that under the store lock. Sandbox runs hold a lock of
 * their own, so their state is judged run by run. Immutable and thread-safe.
 */
public final class StaleState {
    private static final Pattern RUN_DIR = Pattern.compile("/state/sandbox/(runc|crun|builtin)/(wharf-[0-9a-f]{24}(?:[0-9a-f]{8})?)");
    private static final String[] RUNTIMES = {"runc", "crun", "builtin"};

    private final Path root;
    private final List<Snapshotter> snapshotters;

    /**
     * The stale state of the store at {@code root}, whose snapshots are those of {@code snapshotters} (the overlay
     * and copy snapshot stores that exist).
     */
    public StaleState(Path root, List<Snapshotter> snapshotters) {
        this.root = root.toAbsolutePath().normalize();
        this.snapshotters = List.copyOf(snapshotters);
    }

    /** The directory that holds the sandboxes' per-run state under a store root. */
    public static Path sandboxStateDir(Path root) {
        return root.resolve("state").resolve("sandbox");
    }

    /**
     * Finds stale state and, with repair on, removes it.
     *
     * @param repair whether to remove what is stale
     * @param othersAlive whether another wharf process uses the store: then active snapshots may be theirs and are
     *     left alone, and so are mounts
     */
    public List<StoreProblem> check(boolean repair, boolean othersAlive) {
        return check(repair, othersAlive, true);
    }

    /**
     * Finds stale state and, with repair on, removes it; looks for stale sandbox processes only when
     * {@code lookForProcesses} says a wharf process may have died, or a sandbox run's state says one did.
     *
     * @param repair whether to remove what is stale
     * @param othersAlive whether another wharf process uses the store (see {@link #check(boolean, boolean)})
     * @param lookForProcesses whether to read every process's command line, looking for sandbox processes of dead
     *     runs: about 10 ms per 100 processes of a fresh JVM's time. Such a process can only outlive a wharf process
     *     that was killed, which leaves its user marker behind ({@code StoreUsers.Census#deadFound}) and, if it ran a
     *     sandbox, the run's state directory, which is always looked at
     */
    public List<StoreProblem> check(boolean repair, boolean othersAlive, boolean lookForProcesses) {
        List<StoreProblem> problems = new ArrayList<>();
        // Listed once: whether a dead run left its state decides the process search, and the same runs are reported.
        Map<String, List<Path>> staleRuns = staleRuns();
        if (lookForProcesses || staleRuns.values().stream().anyMatch(runs -> !runs.isEmpty())) {
            problems.addAll(processes(repair));
        }
        if (!othersAlive) {
            problems.addAll(mounts(repair));
            problems.addAll(snapshots(repair));
        }
        problems.addAll(sandboxState(repair, staleRuns));
        problems.addAll(cgroups(repair));
        return List.copyOf(problems);
    }

    /**
     * Cgroups of runs whose wharf process is gone, of any store (cgroups are the host's): checked with every
     * store's, as a few directory listings cost next to nothing, and only removable once no process is in them.
     */
    private static List<StoreProblem> cgroups(boolean repair) {
        List<StoreProblem> problems = new ArrayList<>();
        for (StaleCgroups.Found found : StaleCgroups.sweep(OciSpecFactory.DEFAULT_CGROUP_PARENT, repair)) {
            problems.add(new StoreProblem(StoreProblem.Kind.STALE_CGROUP, found.dir().toString(),
                    "cgroup of a sandbox run whose wharf process is gone"
                            + (repair && !found.removed() ? "; cannot remove it: a process is still in it" : ""),
                    found.removed()));
        }
        return problems;
    }

    private List<StoreProblem> snapshots(boolean repair) {
        List<StoreProblem> problems = new ArrayList<>();
        for (Snapshotter snapshotter : snapshotters) {
            List<SnapshotInfo> stale = new ArrayList<>();
            try {
                snapshotter.walkUncommitted(stale::add);
            } catch (SnapshotException e) {
                problems.add(new StoreProblem(StoreProblem.Kind.STALE_SNAPSHOT, snapshotter.toString(),
                        "cannot list snapshots: " + e.getMessage(), false));
                continue;
            }
            for (SnapshotInfo info : stale) {
                StoreProblem problem = new StoreProblem(StoreProblem.Kind.STALE_SNAPSHOT, info.name(),
                        info.kind().name().toLowerCase(Locale.ROOT) + " snapshot of a build that ended without "
                                + "committing or removing it", false);
                if (repair) {
                    try {
                        snapshotter.remove(info.name());
                        problem = problem.asRepaired();
                    } catch (SnapshotException e) {
                        problem = new StoreProblem(problem.kind(), problem.subject(), problem.detail()
                                + "; cannot remove it: " + e.getMessage(), false);
                    }
                }
                problems.add(problem);
            }
        }
        return problems;
    }

    /** Run directories whose lock is free, per runtime; repair constructs the runtime's sandbox, which sweeps. */
    private List<StoreProblem> sandboxState(boolean repair, Map<String, List<Path>> staleRuns) {
        List<StoreProblem> problems = new ArrayList<>();
        Path base = sandboxStateDir(root);
        for (Map.Entry<String, List<Path>> runs : staleRuns.entrySet()) {
            String runtime = runs.getKey();
            List<Path> stale = runs.getValue();
            if (stale.isEmpty()) {
                continue;
            }
            String failure = null;
            if (repair) {
                try {
                    // Each sandbox sweeps its dead runs when created: runtime state, cgroups, bundles.
                    SandboxSelector.onThisHost(base).select(RuntimeChoice.parse(runtime));
                } catch (SandboxException | RuntimeException e) {
                    failure = e.getMessage();
                }
            }
            for (Path run : stale) {
                boolean gone = repair && !Files.exists(run);
                problems.add(new StoreProblem(StoreProblem.Kind.STALE_SANDBOX_STATE, run.toString(),
                        "state of a " + runtime + " sandbox run whose process is gone"
                                + (repair && !gone ? "; cannot sweep it: " + failure : ""), gone));
            }
        }
        return problems;
    }

    /** Run directories of dead processes, per runtime in {@link #RUNTIMES} order. */
    private Map<String, List<Path>> staleRuns() {
        Path base = sandboxStateDir(root);
        Map<String, List<Path>> stale = new LinkedHashMap<>();
        for (String runtime : RUNTIMES) {
            stale.put(runtime, staleRuns(base.resolve(runtime)));
        }
        return stale;
    }

    private static List<Path> staleRuns(Path dir) {
        List<Path> stale = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return stale;
        }
        // Filtered by name, not by a glob, which compiles a regular expression per listing (StaleCgroups).
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(dir)) {
            for (Path run : runs) {
                if (run.getFileName().toString().startsWith("wharf-") && Files.isDirectory(run) && !runAlive(run)) {
                    stale.add(run);
                }
            }
        } catch (IOException e) {
            // Unreadable: nothing to judge.
        }
        return stale;
    }

    /** A run is alive while its {@code .lock} is held (see the sandbox package's StateDirs). */
    private static boolean runAlive(Path run) {
        try {
            return StoreUsers.isLocked(run.resolve(".lock"));
        } catch (IOException e) {
            return true; // cannot tell: leave it alone
        }
    }

    /** Processes whose command line names a sandbox run directory of this store whose run is dead. */
    private List<StoreProblem> processes(boolean repair) {
        List<StoreProblem> problems = new ArrayList<>();
        String prefix = root.toString();
        ProcessHandle.allProcesses().forEach(process -> {
            String cmdline = cmdline(process.pid());
            int at = cmdline.indexOf(prefix + "/state/sandbox/");
            if (at < 0) {
                return;
            }
            Matcher m = RUN_DIR.matcher(cmdline.substring(at + prefix.length()));
            if (!m.lookingAt()) {
                return;
            }
            Path run = sandboxStateDir(root).resolve(m.group(1)).resolve(m.group(2));
            if (Files.isDirectory(run) && runAlive(run)) {
                return;
            }
            StoreProblem problem = new StoreProblem(StoreProblem.Kind.STALE_PROCESS, "pid " + process.pid(),
                    "sandbox process of the dead run " + m.group(2) + ": " + abbreviate(cmdline), false);
            if (repair) {
                process.destroyForcibly();
                try {
                    process.onExit().get(5, TimeUnit.SECONDS);
                    problem = problem.asRepaired();
                } catch (Exception e) {
                    if (!process.isAlive()) {
                        problem = problem.asRepaired();
                    }
                }
            }
            problems.add(problem);
        });
        return problems;
    }

    private static String cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String abbreviate(String text) {
        String line = text.replace('\n', ' ').strip();
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

    /** Mount points strictly under the store root, from {@code /proc/self/mountinfo}; repair unmounts them. */
    private List<StoreProblem> mounts(boolean repair) {
        List<StoreProblem> problems = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return problems;
        }
        String prefix = root + "/";
        List<String> points = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length > 4) {
                String point = unescape(fields[4]);
                if (point.startsWith(prefix)) {
                    points.add(point);
                }
            }
        }
        // Deepest first, so a mount on top of another comes off before it.
        points.sort((a, b) -> b.length() - a.length());
        for (String point : points) {
            StoreProblem problem = new StoreProblem(StoreProblem.Kind.STALE_MOUNT, point,
                    "a mount under the store that no live build owns", false);
            if (repair && unmount(point)) {
                problem = problem.asRepaired();
            }
            problems.add(problem);
        }
        return problems;
    }

    private static boolean unmount(String point) {
        var umount = Executables.fromEnvironment().find("umount");
        if (umount.isEmpty()) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(umount.get().toString(), "--lazy", point).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
