package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes the cgroup directories of one container, {@code <hierarchy>/<parent>/<id>} in every mounted cgroup
 * hierarchy.
 * runc deletes them itself, except on some error paths (a process that failed to exec still exiting while runc
 * cleans up), where it logs "device or resource busy" and leaves them. A cgroup directory can only be removed once
 * no process is in it, so this can never disturb a live container. Stateless.
 */
final class CgroupDirs {
    private static final int ATTEMPTS = 40;
    private static final long PAUSE_MILLIS = 25;

    private CgroupDirs() {
    }

    /** Removes {@code <parent>/<id>} under every cgroup mount point, waiting briefly for exiting processes. */
    static void remove(String parent, String id) {
        List<Path> left = new ArrayList<>();
        for (Path hierarchy : hierarchies()) {
            Path dir = hierarchy.resolve(parent).resolve(id);
            Path nested = dir.resolve("ctr"); // the runtime's cgroup inside wharf's (OciSpecFactory), first
            if (Files.isDirectory(nested)) {
                left.add(nested);
            }
            if (Files.isDirectory(dir)) {
                left.add(dir);
            }
        }
        for (int attempt = 0; attempt < ATTEMPTS && !left.isEmpty(); attempt++) {
            // In order: a nested cgroup goes before its parent, whose rmdir fails while it has children.
            for (java.util.Iterator<Path> it = left.iterator(); it.hasNext(); ) {
                if (tryRemove(it.next())) {
                    it.remove();
                }
            }
            if (!left.isEmpty()) {
                try {
                    Thread.sleep(PAUSE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static boolean tryRemove(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (DirectoryNotEmptyException e) {
            return false;
        } catch (FileSystemException e) {
            // EBUSY while the last process leaves; retried.
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Mount points of cgroup and cgroup2 filesystems, from {@code /proc/self/mountinfo}. */
    static List<Path> hierarchies() {
        return mounts().stream().map(CgroupMount::point).toList();
    }

    /** A mounted cgroup filesystem: {@code cgroup} (v1) or {@code cgroup2}, where, and its super options. */
    record CgroupMount(String type, Path point, List<String> options) {
    }

    /** The mounted cgroup and cgroup2 filesystems, from {@code /proc/self/mountinfo}. */
    static List<CgroupMount> mounts() {
        List<CgroupMount> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int dash = line.indexOf(" - ");
                if (dash < 0) {
                    continue;
                }
                String[] after = line.substring(dash + 3).split(" ");
                if (after[0].equals("cgroup") || after[0].equals("cgroup2")) {
                    found.add(new CgroupMount(after[0], Path.of(line.split(" ")[4].replace("\\040", " ")),
                            after.length > 2 ? List.of(after[2].split(",")) : List.of()));
                }
            }
        } catch (IOException e) {
            // No cgroup information: nothing to clean.
        }
        return found;
    }
}
