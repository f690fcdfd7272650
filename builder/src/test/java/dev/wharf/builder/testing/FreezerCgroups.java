package dev.wharf.builder.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the cgroup that freezes a process, for the tests that check a RUN's own cgroup. Stateless. */
public final class FreezerCgroups {
    private FreezerCgroups() {
    }

    /**
     * The host directory of the cgroup that freezes the process {@code pid}: for this JVM its v1 freezer cgroup (else
     * its unified one); for another process, its v1 freezer cgroup when that is not this JVM's, else its unified
     * cgroup when that is not this JVM's (the built-in sandbox's runs have only a unified cgroup where that one can
     * freeze, see CgroupLimits.tryCreateUnified), else (a process in this JVM's cgroups) its v1 freezer cgroup.
     * Skips the test where no cgroup hierarchy freezes.
     */
    public static Path of(long pid) throws IOException {
        Path[] own = cgroupsOf(pid);
        if (pid != ProcessHandle.current().pid()) {
            Path[] jvm = cgroupsOf(ProcessHandle.current().pid());
            if ((own[0] == null || own[0].equals(jvm[0])) && own[1] != null && !own[1].equals(jvm[1])) {
                return own[1];
            }
        }
        if (own[0] == null && own[1] == null) {
            throw new AssertionError("process " + pid + " has no freezer cgroup");
        }
        return own[0] != null ? own[0] : own[1];
    }

    /** The host directories of the v1 freezer cgroup and of the unified cgroup of {@code pid} (null: none). */
    private static Path[] cgroupsOf(long pid) throws IOException {
        Path v1 = null;
        Path v2 = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] after = line.substring(dash + 3).split(" ");
            Path point = Path.of(line.split(" ")[4].replace("\\040", " "));
            if (after[0].equals("cgroup2")) {
                v2 = v2 == null ? point : v2;
            } else if (after[0].equals("cgroup") && after.length > 2
                    && List.of(after[2].split(",")).contains("freezer")) {
                v1 = point;
            }
        }
        HostRequirements.require(v1 != null || v2 != null, "no cgroup freezer on this host");
        Path[] own = new Path[2];
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            String[] f = line.split(":", 3);
            if (v1 != null && List.of(f[1].split(",")).contains("freezer")) {
                own[0] = v1.resolve(f[2].substring(1));
            }
            if (v2 != null && f[0].equals("0")) {
                own[1] = v2.resolve(f[2].substring(1));
            }
        }
        return own;
    }
}
