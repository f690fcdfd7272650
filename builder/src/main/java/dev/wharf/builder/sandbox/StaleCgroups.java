package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The cgroups of sandbox runs whose wharf process is gone, in every hierarchy: {@code <hierarchy>/<parent>/<id>}
 * (and the runtime's {@code ctr} inside). A run removes its own when it ends, and a sandbox's start sweeps those
 * its store's state directories tell of; a JVM killed with SIGKILL whose state directory was swept without them
 * (a removal cut short, a process still leaving), or kept in another store, or deleted with it, left them until
 * now. A run's id carries its owner's pid and pid namespace ({@link RunId}), so they are found without any store,
 * from any pid namespace ({@link RunOwners}: a wharf in a container and one on its host share the cgroups). Swept where every
 * command passes once, when an engine opens its store ({@code StaleState}, before any sandbox of that process
 * starts), and by {@code wharf doctor}: not again at each sandbox's start, which would repeat the same listing
 * moments later in the same process.
 *
 * <p>Safe beside concurrent builds: only the cgroups of runs whose id carries an owner (an older wharf's ids do not:
 * its runs are left alone) that is no live process are touched (an owner in a pid namespace this one cannot see
 * counts as alive), and a run's are removed only when no process is in
 * any of them: a live run may have processes in some hierarchies only, and its empty freezer cgroup is what a cancel
 * freezes it with. A recycled pid keeps a dead run's cgroups until that process is gone too. Stateless.
 */
public final class StaleCgroups {
    private StaleCgroups() {
    }

    /** A stale cgroup directory, and whether it was removed. */
    public record Found(Path dir, boolean removed) {
    }

    /**
     * The cgroup directories under {@code parent} (one path component, {@value OciSpecFactory#DEFAULT_CGROUP_PARENT}
     * for wharf's own) of runs whose owner is gone, in every hierarchy; with {@code remove}, those of runs with no
     * process left in any of them are removed.
     */
    public static List<Found> sweep(String parent, boolean remove) {
        Map<String, List<Path>> runs = deadRuns(parent);
        List<Found> found = new ArrayList<>();
        for (List<Path> dirs : runs.values()) {
            boolean removable = remove;
            for (Path dir : dirs) {
                removable = removable && empty(dir);
            }
            for (Path dir : dirs) {
                found.add(new Found(dir, removable && removeTree(dir)));
            }
        }
        return List.copyOf(found);
    }

    /** The cgroup directories of runs whose owner pid is no live process, by run id. */
    private static Map<String, List<Path>> deadRuns(String parent) {
        Map<String, List<Path>> runs = new LinkedHashMap<>();
        long self = ProcessHandle.current().pid();
        OptionalLong selfNamespace = RunOwners.current();
        RunOwners owners = new RunOwners();
        for (Path hierarchy : CgroupDirs.hierarchies()) {
            Path base = hierarchy.resolve(parent);
            if (!Files.isDirectory(base)) {
                continue;
            }
            // Listed whole and filtered by name, not with a glob: a glob compiles a regular expression per listing,
            // in every hierarchy (ten with cgroup v1) of every command that opens a store. No lambdas either: one
            // the class-data archive's training never ran (it finds no other process's runs) is spun at run time.
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base)) {
                for (Path dir : dirs) {
                    String id = dir.getFileName().toString();
                    if (!id.startsWith("wharf-")) {
                        continue;
                    }
                    Optional<RunId.Owner> owner = RunId.owner(id);
                    if (owner.isPresent() && !isSelf(owner.get(), self, selfNamespace) && Files.isDirectory(dir)
                            && !owners.alive(owner.get().pid(), owner.get().pidNamespace())) {
                        List<Path> ofRun = runs.get(id);
                        if (ofRun == null) {
                            ofRun = new ArrayList<>();
                            runs.put(id, ofRun);
                        }
                        ofRun.add(dir);
                    }
                }
            } catch (IOException e) {
                // Unreadable hierarchy: nothing to judge there.
            }
        }
        return runs;
    }

    /** Whether {@code owner} is this process (an owner without a namespace: by pid, as an older wharf named it). */
    private static boolean isSelf(RunId.Owner owner, long self, OptionalLong selfNamespace) {
        return owner.pid() == self && (owner.pidNamespace().isEmpty() || selfNamespace.isEmpty()
                || owner.pidNamespace().getAsLong() == selfNamespace.getAsLong());
    }

    /** Whether no process is in the cgroup {@code dir} or the runtime's nested one; unreadable counts as in use. */
    private static boolean empty(Path dir) {
        for (Path cgroup : List.of(dir, dir.resolve("ctr"))) {
            try {
                if (Files.isDirectory(cgroup) && !Files.readString(cgroup.resolve("cgroup.procs")).isBlank()) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Removes the runtime's nested cgroup, then the run's; false when either still has a process in it. */
    private static boolean removeTree(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve("ctr"));
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            return false; // busy (a process entered or is leaving): left for the next sweep
        }
    }
}
