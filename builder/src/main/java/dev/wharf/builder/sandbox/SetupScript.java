package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.RootView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the commands that perform an OCI spec's mounts inside the root filesystem at {@code $R}, the way runc's
 * {@code libcontainer/rootfs_linux.go} does for a root-owned container: each mount in order (mount points created
 * inside the root, never through a symlink out of it), the default device nodes and symlinks on the fresh
 * {@code /dev}, then masked paths (an empty read-only tmpfs over directories, {@code /dev/null} over files) and
 * read-only paths. The built-in sandbox uses it; runc and crun do the same themselves from {@code config.json}.
 * Stateless.
 */
final class SetupScript {
    /** runc's default devices ({@code specconv.AllowedDevices}): name, major, minor. */
    private static final List<String[]> DEVICES = List.of(
            new String[] {"null", "1", "3"}, new String[] {"zero", "1", "5"}, new String[] {"full", "1", "7"},
            new String[] {"random", "1", "8"}, new String[] {"urandom", "1", "9"}, new String[] {"tty", "5", "0"});

    /** runc's {@code setupDevSymlinks}. */
    private static final List<String[]> DEV_LINKS = List.of(
            new String[] {"/proc/self/fd", "fd"}, new String[] {"/proc/self/fd/0", "stdin"},
            new String[] {"/proc/self/fd/1", "stdout"}, new String[] {"/proc/self/fd/2", "stderr"},
            new String[] {"pts/ptmx", "ptmx"}, new String[] {"/proc/kcore", "core"});

    private SetupScript() {
    }

    /** Commands for every mount in {@code mounts}, then masked and read-only paths, as real root. */
    static List<String> mounts(List<OciSpec.Mount> mounts, RootView view, boolean cgroup2) throws IOException {
        return mounts(mounts, view, cgroup2, false);
    }

    /**
     * Commands for every mount in {@code mounts}, then masked and read-only paths. In a user namespace
     * ({@code rootless}) device nodes cannot be made, so the host's are bind-mounted instead, as runc does there.
     */
    static List<String> mounts(List<OciSpec.Mount> mounts, RootView view, boolean cgroup2, boolean rootless)
            throws IOException {
        List<String> lines = new ArrayList<>();
        List<String> ownMounts = new ArrayList<>();
        for (OciSpec.Mount m : mounts) {
            String dest = underOwnMount(ownMounts, m.destination()) ? m.destination()
                    : view.canonical(m.destination());
            boolean file = m.type().equals("bind") && !Files.isDirectory(Path.of(m.source()));
            String target = "\"$R\"" + Shell.quote(dest);
            if (underOwnMount(ownMounts, dest)) {
                lines.add(file ? "[ -e " + target + " ] || : > " + target : "mkdir -p " + target);
            } else if (file) {
                String parent = dest.substring(0, Math.max(dest.lastIndexOf('/'), 1));
                lines.addAll(MountScript.mkdirs(view, parent, ProcessUser.ROOT));
                lines.add("[ -e " + target + " ] || : > " + target);
            } else {
                lines.addAll(MountScript.mkdirs(view, dest, ProcessUser.ROOT));
            }
            lines.addAll(mountCommand(m, target, cgroup2));
            if (m.destination().equals("/dev") && m.type().equals("tmpfs")) {
                lines.addAll(devices(rootless));
            }
            ownMounts.add(dest);
        }
        for (String p : OciSpecFactory.MASKED_PATHS) {
            String t = "\"$R\"" + Shell.quote(p);
            lines.add("if [ -d " + t + " ]; then mount -t tmpfs -o ro,nosuid,nodev,noexec tmpfs " + t
                    + "; elif [ -e " + t + " ]; then mount --bind /dev/null " + t + "; fi");
        }
        for (String p : OciSpecFactory.READONLY_PATHS) {
            String t = "\"$R\"" + Shell.quote(p);
            lines.add("if [ -e " + t + " ]; then mount --bind " + t + " " + t
                    + " && mount -o remount,bind,ro,nosuid,nodev,noexec " + t + "; fi");
        }
        return lines;
    }

    private static List<String> mountCommand(OciSpec.Mount m, String target, boolean cgroup2) {
        List<String> opts = new ArrayList<>(m.options());
        switch (m.type()) {
            case "bind" -> {
                boolean ro = opts.contains("ro");
                List<String> flags = new ArrayList<>();
                for (String f : List.of("nosuid", "nodev", "noexec")) {
                    if (opts.contains(f)) {
                        flags.add(f);
                    }
                }
                List<String> lines = new ArrayList<>();
                lines.add("mount --rbind " + Shell.quote(m.source()) + " " + target);
                if (ro || !flags.isEmpty()) {
                    List<String> remount = new ArrayList<>(List.of("remount", "bind"));
                    remount.add(ro ? "ro" : "rw");
                    remount.addAll(flags);
                    lines.add("mount -o " + String.join(",", remount) + " " + target);
                }
                return lines;
            }
            case "cgroup" -> {
                // Without a cgroup namespace runc shows the host's hierarchy read-only; on a cgroup v1 or hybrid
                // host the built-in sandbox shows an empty read-only directory instead of the host's controllers.
                return cgroup2
                        ? List.of("mount -t cgroup2 -o " + String.join(",", opts) + " cgroup2 " + target)
                        : List.of("mount -t tmpfs -o ro,nosuid,nodev,noexec,mode=755 tmpfs " + target);
            }
            default -> {
                return List.of("mount -t " + Shell.quote(m.type()) + " -o " + Shell.quote(String.join(",", opts))
                        + " " + Shell.quote(m.source()) + " " + target);
            }
        }
    }

    private static List<String> devices(boolean rootless) {
        List<String> lines = new ArrayList<>();
        for (String[] d : DEVICES) {
            if (rootless) {
                lines.add(": > \"$R\"/dev/" + d[0] + " && mount --bind /dev/" + d[0] + " \"$R\"/dev/" + d[0]);
            } else {
                lines.add("mknod -m 666 \"$R\"/dev/" + d[0] + " c " + d[1] + " " + d[2]);
            }
        }
        for (String[] l : DEV_LINKS) {
            lines.add("ln -s " + Shell.quote(l[0]) + " \"$R\"/dev/" + l[1]);
        }
        return lines;
    }

    private static boolean underOwnMount(List<String> ownMounts, String dest) {
        for (String m : ownMounts) {
            if (dest.startsWith(m + "/")) {
                return true;
            }
        }
        return false;
    }
}
