package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One sandbox run's cgroup, {@code <hierarchy>/<parent>/<id>}, with the run's {@link ResourceLimits} written into
 * it, for the built-in sandbox (which has no runtime to do it) and as the enclosing cgroup of an OCI runtime's
 * container. Works on cgroup v1, v2 and hybrid hosts: each controller (memory, pids, cpu, freezer) is used where it
 * is mounted, a v1 hierarchy first, else the unified one; the unified hierarchy's {@code cgroup.freeze} serves when
 * there is no v1 freezer.
 *
 * <p>After the run, {@link #classify} tells an out-of-memory kill (v2 {@code memory.events oom_kill}, v1
 * {@code memory.oom_control oom_kill}, {@code failcnt}, or the peak usage reaching the limit) and a refused fork
 * ({@code pids.events max}) from an ordinary failure; {@link #freezeAndKill} stops every process in it at once, so
 * none can fork away while the others are killed. Thread-safe.
 */
final class CgroupLimits {
    private static final String V2 = "unified";
    private static final long MEMORY_SLACK = 1024 * 1024;

    private final ResourceLimits limits;
    private final Map<String, Path> dirs;

    private CgroupLimits(ResourceLimits limits, Map<String, Path> dirs) {
        this.limits = limits;
        this.dirs = dirs;
    }

    /**
     * Creates {@code <parent>/<id>} in the hierarchies of the controllers {@code limits} needs (and the freezer),
     * and writes the limits.
     *
     * @throws SandboxException if a needed controller is not mounted, or the cgroup cannot be made (not root)
     */
    static CgroupLimits create(String parent, String id, ResourceLimits limits) throws SandboxException {
        Map<String, Path> mounts = controllerMounts();
        Map<String, Path> dirs = new LinkedHashMap<>();
        List<String> needed = new ArrayList<>(List.of("freezer"));
        limits.memoryBytes().ifPresent(m -> needed.add("memory"));
        limits.pids().ifPresent(p -> needed.add("pids"));
        limits.cpus().ifPresent(c -> needed.add("cpu"));
        Path unified = mounts.get(V2);
        Set<String> v2Controllers = unified == null ? Set.of() : v2Controllers(unified);
        List<String> onV2 = new ArrayList<>();
        for (String controller : needed) {
            Path v1 = mounts.get(controller);
            if (v1 != null) {
                dirs.put(controller, v1.resolve(parent).resolve(id));
            } else if (unified != null && (controller.equals("freezer") || v2Controllers.contains(controller))) {
                if (!controller.equals("freezer")) {
                    onV2.add(controller);
                }
            } else {
                throw new SandboxException("cannot limit RUN's " + controller + ": no cgroup hierarchy has the "
                        + controller + " controller (see /proc/self/mountinfo); drop the limit or enable it");
            }
        }
        if (unified != null) {
            // Every process is in the unified hierarchy too; a cgroup there gives cgroup.freeze and v2 limits.
            dirs.put(V2, unified.resolve(parent).resolve(id));
        }
        CgroupLimits cgroup = new CgroupLimits(limits, dirs);
        try {
            for (Path dir : dirs.values()) {
                Files.createDirectories(dir);
            }
            if (!onV2.isEmpty()) {
                enableV2(unified, parent, onV2);
            }
            cgroup.writeLimits(onV2);
        } catch (IOException e) {
            cgroup.remove();
            throw new SandboxException("cannot set up the cgroup of RUN's resource limits under " + dirs.values()
                    + ": " + e.getMessage() + "; limits need root and a writable cgroup filesystem", e);
        }
        return cgroup;
    }

    /**
     * A cgroup of its own for a run without limits, {@code <parent>/<id>} in the freezer (v1) and unified
     * hierarchies, so that a cancel can freeze and kill the run's whole process tree; empty when none can be made
     * (not root, no writable cgroup filesystem), and the caller then kills the run's process group and PID namespace
     * only. Two mkdirs on cgroupfs: cheap enough for every RUN.
     */
    static java.util.Optional<CgroupLimits> tryCreate(String parent, String id) {
        try {
            return java.util.Optional.of(create(parent, id, ResourceLimits.none()));
        } catch (SandboxException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * As {@link #tryCreate}, but only in the unified hierarchy when it can freeze ({@code cgroup.freeze}, Linux 5.2)
     * also on a v1 or hybrid host: a process can then be started straight into it ({@link #unifiedDir}, clone3's
     * {@code CLONE_INTO_CGROUP}), while joining a cgroup through {@code cgroup.procs} makes the kernel wait for an
     * RCU grace period, several milliseconds of every RUN. Falls back to {@link #tryCreate}'s freezer and unified
     * cgroups where the unified hierarchy is missing or cannot freeze.
     */
    static java.util.Optional<CgroupLimits> tryCreateUnified(String parent, String id) {
        Path unified = controllerMounts().get(V2);
        if (unified != null) {
            Path dir = unified.resolve(parent).resolve(id);
            try {
                Files.createDirectories(dir);
                if (Files.exists(dir.resolve("cgroup.freeze"))) {
                    return java.util.Optional.of(new CgroupLimits(ResourceLimits.none(), Map.of(V2, dir)));
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // Not writable here: the v1 way below, which fails the same way if nothing is writable.
            }
        }
        return tryCreate(parent, id);
    }

    /** The cgroup's directory in the unified (v2) hierarchy, when it has one. */
    java.util.Optional<Path> unifiedDir() {
        return java.util.Optional.ofNullable(dirs.get(V2));
    }

    /** The {@code cgroup.procs} files of the cgroup's v1 directories, which a process joins by writing to. */
    List<Path> v1Procs() {
        return dirs.entrySet().stream().filter(e -> !e.getKey().equals(V2))
                .map(e -> e.getValue().resolve("cgroup.procs")).toList();
    }

    /** Shell lines that move the shell running them (and so everything it starts) into this cgroup. */
    List<String> enterLines() {
        List<String> lines = new ArrayList<>();
        for (Path dir : dirs.values()) {
            lines.add("echo 0 > " + Shell.quote(dir.resolve("cgroup.procs").toString()));
        }
        return lines;
    }

    /** The directories of this cgroup, by controller ({@code unified} for the v2 one). */
    Map<String, Path> dirs() {
        return Map.copyOf(dirs);
    }

    /** {@code status}, reclassified as out of memory or pids limit when the cgroup's counters say so. */
    ExitStatus classify(ExitStatus status) {
        if (status.termination() != ExitStatus.Termination.EXITED || status.code() == 0) {
            return status;
        }
        if (limits.memoryBytes().isPresent() && outOfMemory(status.code())) {
            return new ExitStatus(status.code(), ExitStatus.Termination.OUT_OF_MEMORY);
        }
        if (limits.pids().isPresent() && pidsRefused()) {
            return new ExitStatus(status.code(), ExitStatus.Termination.PIDS_LIMIT);
        }
        return status;
    }

    /**
     * v1 counts an OOM kill and a failed charge in the cgroup of the process, so an OCI runtime's nested cgroup is
     * read too; the peak usage of wharf's own cgroup reaching the limit catches a runtime that deleted its own.
     */
    private boolean outOfMemory(int code) {
        Path v1 = dirs.get("memory");
        if (v1 != null) {
            long limit = limits.memoryBytes().getAsLong();
            return sum(v1, "memory.oom_control", "oom_kill") > 0
                    || (code == 137 && (sum(v1, "memory.failcnt", null) > 0
                    || number(v1.resolve("memory.max_usage_in_bytes")).orElse(0) >= limit - MEMORY_SLACK));
        }
        Path v2 = dirs.get(V2);
        return v2 != null && field(v2.resolve("memory.events"), "oom_kill").orElse(0) > 0;
    }

    /** A refused fork is counted in the forking process's own cgroup: this one or a nested one. */
    private boolean pidsRefused() {
        Path dir = dirs.containsKey("pids") ? dirs.get("pids") : dirs.get(V2);
        return dir != null && sum(dir, "pids.events", "max") > 0;
    }

    /** The sum of a counter over a cgroup and the cgroups nested in it; {@code key} null for a plain number. */
    private static long sum(Path dir, String file, String key) {
        long total = 0;
        try (var tree = Files.walk(dir)) {
            for (Path f : tree.filter(p -> p.getFileName().toString().equals(file)).toList()) {
                total += (key == null ? number(f) : field(f, key)).orElse(0);
            }
        } catch (IOException | RuntimeException e) {
            // Gone meanwhile: count what was read.
        }
        return total;
    }

    /**
     * Freezes the cgroup, SIGKILLs every process in it (and in nested cgroups), then thaws it so the kills are
     * delivered: nothing can fork while the others die.
     */
    void freezeAndKill() {
        // A cancel runs this on an interrupted thread, where every NIO read and write of the cgroup files fails at
        // once (ClosedByInterruptException): the kills were skipped and the thaw too, leaving the tree frozen for
        // good. The interrupt is set aside until the tree is killed and thawed.
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            Path freezer = dirs.get("freezer");
            Path v2 = dirs.get(V2);
            write(freezer == null ? v2.resolve("cgroup.freeze") : freezer.resolve("freezer.state"),
                    freezer == null ? "1" : "FROZEN");
            for (Path dir : dirs.values()) {
                killAll(dir);
            }
            write(freezer == null ? v2.resolve("cgroup.freeze") : freezer.resolve("freezer.state"),
                    freezer == null ? "0" : "THAWED");
        }
    }

    private static void killAll(Path dir) {
        try (var tree = Files.walk(dir)) {
            for (Path procs : tree.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                for (String line : Files.readAllLines(procs)) {
                    if (!line.isBlank()) {
                        ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The cgroup is going away; the PID namespace's teardown takes what is left.
        }
    }

    /**
     * How often {@link #remove} tries, 25 ms apart: 5 s for killed processes to exit on a loaded machine (a cancel
     * on one with a load of 10 took over 1 s); a finished run's cgroup goes at the first try.
     */
    private static final int REMOVE_ATTEMPTS = 200;

    /** Removes the cgroup, nested cgroups (an OCI runtime's) first, waiting briefly for exiting processes. */
    void remove() {
        // A cancelled build removes its cgroups on an interrupted thread: the bounded wait goes on regardless
        // (and the interrupt is kept), or a Ctrl-C would leave them behind while the killed processes exit.
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            for (int attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
                boolean left = false;
                for (Path dir : dirs.values()) {
                    left |= !removeTree(dir);
                }
                if (!left) {
                    return;
                }
                deferred.sleep(25);
            }
        }
    }

    private static boolean removeTree(Path dir) {
        try {
            // Most cgroups have no nested one (the built-in sandbox's never): one rmdir, no listing of its files.
            Files.deleteIfExists(dir);
            return true;
        } catch (DirectoryNotEmptyException e) {
            // Nested cgroups (an OCI runtime's) go first, below.
        } catch (FileSystemException e) {
            if (!Files.isDirectory(dir)) {
                return true;
            }
        } catch (IOException e) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (var children = Files.list(dir)) {
            for (Path child : children.filter(Files::isDirectory).toList()) {
                if (!removeTree(child)) {
                    return false;
                }
            }
            Files.deleteIfExists(dir);
            return true;
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            return !Files.exists(dir);
        } catch (FileSystemException e) {
            return false; // EBUSY while the last process leaves
        } catch (IOException e) {
            return true;
        }
    }

    private void writeLimits(List<String> onV2) throws IOException {
        Path v2 = dirs.get(V2);
        if (limits.memoryBytes().isPresent()) {
            String bytes = Long.toString(limits.memoryBytes().getAsLong());
            if (onV2.contains("memory")) {
                Files.writeString(v2.resolve("memory.max"), bytes);
                writeIfPresent(v2.resolve("memory.swap.max"), "0");
            } else {
                Path dir = dirs.get("memory");
                Files.writeString(dir.resolve("memory.limit_in_bytes"), bytes);
                // Memory plus swap at the same limit: no swapping around it (needs swapaccount=1 to exist).
                writeIfPresent(dir.resolve("memory.memsw.limit_in_bytes"), bytes);
            }
        }
        if (limits.pids().isPresent()) {
            Path dir = onV2.contains("pids") ? v2 : dirs.get("pids");
            Files.writeString(dir.resolve("pids.max"), Long.toString(limits.pids().getAsLong()));
        }
        if (limits.cpus().isPresent()) {
            long quota = limits.cpuQuotaMicros().getAsLong();
            if (onV2.contains("cpu")) {
                Files.writeString(v2.resolve("cpu.max"), quota + " " + ResourceLimits.CPU_PERIOD_MICROS);
            } else {
                Path dir = dirs.get("cpu");
                Files.writeString(dir.resolve("cpu.cfs_period_us"), Long.toString(ResourceLimits.CPU_PERIOD_MICROS));
                Files.writeString(dir.resolve("cpu.cfs_quota_us"), Long.toString(quota));
            }
        }
    }

    private static void enableV2(Path unified, String parent, List<String> controllers) throws IOException {
        StringBuilder enable = new StringBuilder();
        for (String c : controllers) {
            enable.append('+').append(c).append(' ');
        }
        Files.writeString(unified.resolve("cgroup.subtree_control"), enable.toString().strip());
        Files.writeString(unified.resolve(parent).resolve("cgroup.subtree_control"), enable.toString().strip());
    }

    private static void writeIfPresent(Path file, String value) throws IOException {
        if (Files.exists(file)) {
            Files.writeString(file, value);
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            // Not frozen: the kills below still run, only without the guarantee against forks in between.
        }
    }

    private static OptionalLong number(Path file) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(file).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A {@code key value} line of a flat-keyed cgroup file. */
    private static OptionalLong field(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length == 2 && parts[0].equals(key)) {
                    return OptionalLong.of(Long.parseLong(parts[1]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Missing on this kernel.
        }
        return OptionalLong.empty();
    }

    private static Set<String> v2Controllers(Path unified) {
        try {
            return Set.of(Files.readString(unified.resolve("cgroup.controllers")).strip().split("\\s+"));
        } catch (IOException e) {
            return Set.of();
        }
    }

    /** Mount points by v1 controller name, and the v2 mount as {@code unified}. */
    private static Map<String, Path> controllerMounts() {
        Map<String, Path> found = new LinkedHashMap<>();
        for (CgroupDirs.CgroupMount mount : CgroupDirs.mounts()) {
            if (mount.type().equals("cgroup2")) {
                found.putIfAbsent(V2, mount.point());
            } else {
                for (String option : mount.options()) {
                    if (Set.of("memory", "pids", "cpu", "freezer").contains(option)) {
                        found.putIfAbsent(option, mount.point());
                    }
                }
            }
        }
        return found;
    }
}
