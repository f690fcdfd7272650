package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Whether the owner of a sandbox run is alive, judged from this process's pid namespace while the owner may be in
 * another one (a wharf in a container, cgroups being shared by the host's every pid namespace): a pid means
 * nothing outside its namespace. An owner in this process's namespace is looked up by pid. An owner in another
 * namespace is looked for among the processes of that namespace this one can see (its descendants': their
 * {@code NSpid} ends with the pid inside it); when none is visible the namespace is gone only if this is the host's
 * initial pid namespace, which sees every other: elsewhere (a sibling container) the owner cannot be judged and
 * counts as alive, so that a sweep never takes a live build's cgroups. One instance per sweep: it reads
 * {@code /proc} once, on the first foreign owner. Not thread-safe.
 */
final class RunOwners {
    /** The inode of the initial pid namespace (the kernel's PROC_PID_INIT_INO). */
    static final long INITIAL_PID_NAMESPACE = 0xEFFFFFFCL;

    private final Path proc;
    private final OptionalLong self;
    /** Pids inside each visible foreign namespace, by the namespace's inode; made on first use. */
    private Map<Long, Set<Long>> foreign;

    RunOwners() {
        this(Path.of("/proc"), current());
    }

    /** Owners judged through the proc file system at {@code proc}, from the pid namespace {@code self}. */
    RunOwners(Path proc, OptionalLong self) {
        this.proc = proc;
        this.self = self;
    }

    /** The inode of this process's pid namespace, or empty where {@code /proc} does not tell it. */
    static OptionalLong current() {
        return namespaceOf(Path.of("/proc/self"));
    }

    /** Whether the run owned by {@code pid} in the pid namespace {@code namespace} (empty: unknown) may be alive. */
    boolean alive(long pid, OptionalLong namespace) {
        if (namespace.isEmpty() || self.isEmpty() || namespace.getAsLong() == self.getAsLong()) {
            // An older wharf's id names no namespace: as it was judged before, by pid here.
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            return process.isPresent() && process.get().isAlive();
        }
        Set<Long> inside = foreign().get(namespace.getAsLong());
        if (inside != null) {
            return inside.contains(pid);
        }
        return self.getAsLong() != INITIAL_PID_NAMESPACE;
    }

    private Map<Long, Set<Long>> foreign() {
        if (foreign != null) {
            return foreign;
        }
        foreign = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                OptionalLong ns = namespaceOf(entry);
                OptionalLong inner = innermostPid(entry);
                if (ns.isPresent() && inner.isPresent()
                        && (self.isEmpty() || ns.getAsLong() != self.getAsLong())) {
                    foreign.computeIfAbsent(ns.getAsLong(), k -> new HashSet<>()).add(inner.getAsLong());
                }
            }
        } catch (IOException e) {
            // Nothing seen: foreign owners are judged as when their namespace is invisible.
        }
        return foreign;
    }

    /** The inode of the pid namespace of the process at {@code processDir} ({@code pid:[4026531836]}). */
    private static OptionalLong namespaceOf(Path processDir) {
        try {
            String link = Files.readSymbolicLink(processDir.resolve("ns").resolve("pid")).toString();
            int open = link.indexOf('[');
            int close = link.indexOf(']');
            if (link.startsWith("pid:") && open > 0 && close > open) {
                return OptionalLong.of(Long.parseLong(link.substring(open + 1, close)));
            }
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            // A process gone meanwhile, or one this process may not inspect.
        }
        return OptionalLong.empty();
    }

    /** The pid of the process at {@code processDir} in its own pid namespace: the last of its {@code NSpid}. */
    private static OptionalLong innermostPid(Path processDir) {
        try {
            for (String line : Files.readAllLines(processDir.resolve("status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] pids = line.substring("NSpid:".length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(pids[pids.length - 1]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Gone meanwhile.
        }
        return OptionalLong.empty();
    }
}
