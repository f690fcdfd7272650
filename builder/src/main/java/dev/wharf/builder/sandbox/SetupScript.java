package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.RootView;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.DeviceNumbers;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes the commands that perform an OCI spec's mounts inside the root filesystem at {@code $R}, the way runc's
 * {@code libcontainer/rootfs_linux.go} does for a root-owned container: each mount in order (mount points created
 * inside the root, never through a symlink out of it), the default device nodes and symlinks on the fresh
 * {@code /dev}, then masked paths (an empty read-only tmpfs over directories, {@code /dev/null} over files) and
 * read-only paths. The built-in sandbox uses it; runc and crun do the same themselves from {@code config.json}.
 *
 * <p>Every process started costs a RUN time, so the mounts go into fstab files in the run's directory that one
 * {@code mount -a --fstab} performs in order (split only where a mount point must be made on a mount made just
 * before), and {@code /dev}'s nodes and links are copied from a template directory made here with system calls.
 * Masked and read-only paths are chosen by what this host's {@code /proc} and {@code /sys} have: the sandbox sees the
 * same kernel. Stateless.
 */
final class SetupScript {
    /** runc's default devices ({@code specconv.AllowedDevices}): name, major, minor. */
    static final List<String[]> DEVICES = List.of(
            new String[] {"null", "1", "3"}, new String[] {"zero", "1", "5"}, new String[] {"full", "1", "7"},
            new String[] {"random", "1", "8"}, new String[] {"urandom", "1", "9"}, new String[] {"tty", "5", "0"});

    /** runc's {@code setupDevSymlinks}. */
    static final List<String[]> DEV_LINKS = List.of(
            new String[] {"/proc/self/fd", "fd"}, new String[] {"/proc/self/fd/0", "stdin"},
            new String[] {"/proc/self/fd/1", "stdout"}, new String[] {"/proc/self/fd/2", "stderr"},
            new String[] {"pts/ptmx", "ptmx"}, new String[] {"/proc/kcore", "core"});

    /** Mount points the {@code /dev} template provides. */
    static final Set<String> DEV_DIRS = Set.of("/dev/pts", "/dev/shm", "/dev/mqueue");

    private SetupScript() {
    }

    /**
     * Commands for every mount in {@code mounts}, then masked and read-only paths; fstab files and the {@code /dev}
     * template go into {@code work}. In a user namespace ({@code rootless}) device nodes cannot be made, so the
     * host's are bind-mounted instead, as runc does there.
     */
    static List<String> mounts(List<OciSpec.Mount> mounts, RootView view, boolean cgroup2, boolean rootless,
                               Path work, Path rootDir, PosixFiles posix) throws IOException {
        Batch batch = new Batch(work);
        String root = rootDir.toString();
        List<String> ownMounts = new ArrayList<>();
        for (OciSpec.Mount m : mounts) {
            String dest = underOwnMount(ownMounts, m.destination()) ? m.destination()
                    : view.canonical(m.destination());
            boolean file = m.type().equals("bind") && !Files.isDirectory(Path.of(m.source()));
            String target = "\"$R\"" + Shell.quote(dest);
            if (underOwnMount(ownMounts, dest)) {
                if (!DEV_DIRS.contains(dest)) {
                    // The mount point lies on a mount of this script: make it once that mount is there.
                    batch.flush();
                    batch.lines.add(file ? "[ -e " + target + " ] || : > " + target : "mkdir -p " + target);
                }
            } else if (file) {
                String parent = dest.substring(0, Math.max(dest.lastIndexOf('/'), 1));
                batch.early.addAll(MountScript.mkdirs(view, parent, ProcessUser.ROOT));
                batch.early.add("[ -e " + target + " ] || : > " + target);
            } else {
                batch.early.addAll(MountScript.mkdirs(view, dest, ProcessUser.ROOT));
            }
            batch.add(entry(m, root + dest, cgroup2));
            if (m.destination().equals("/dev") && m.type().equals("tmpfs")) {
                batch.flush();
                batch.lines.add("cp -a " + Shell.quote(devTemplate(work, rootless, posix) + "/.") + " \"$R\"/dev/");
                if (rootless) {
                    for (String[] d : DEVICES) {
                        batch.add(fstab("/dev/" + d[0], root + "/dev/" + d[0], "none", "bind"));
                    }
                }
            }
            ownMounts.add(dest);
        }
        for (String p : OciSpecFactory.MASKED_PATHS) {
            Path host = Path.of(p);
            if (!mountedIn(ownMounts, p) || !Files.exists(host)) {
                continue;
            }
            batch.add(Files.isDirectory(host) ? fstab("tmpfs", root + p, "tmpfs", "ro,nosuid,nodev,noexec")
                    : fstab("/dev/null", root + p, "none", "bind"));
        }
        for (String p : OciSpecFactory.READONLY_PATHS) {
            if (mountedIn(ownMounts, p) && Files.exists(Path.of(p))) {
                batch.add(fstab(root + p, root + p, "none", "bind,ro,nosuid,nodev,noexec"));
            }
        }
        batch.flush();
        List<String> all = batched(batch.early);
        all.addAll(batch.lines);
        return all;
    }

    /**
     * The mount points' lines with every {@code mkdir -m 755 DIR} in one {@code mkdir} and every {@code chown}
     * to one owner in one {@code chown} (parents come before children, as listed), then the other lines (empty
     * files as mount points, whose directories exist by then). Mount points of several mounts may share missing
     * parents: each is made once.
     */
    static List<String> batched(List<String> early) {
        List<String> dirs = new ArrayList<>();
        java.util.Map<String, List<String>> chowns = new java.util.LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (String line : new java.util.LinkedHashSet<>(early)) {
            if (line.startsWith("mkdir -m 755 ")) {
                dirs.add(line.substring("mkdir -m 755 ".length()));
            } else if (line.startsWith("chown ")) {
                int space = line.indexOf(' ', "chown ".length());
                chowns.computeIfAbsent(line.substring(0, space), k -> new ArrayList<>()).add(line.substring(space + 1));
            } else {
                rest.add(line);
            }
        }
        List<String> out = new ArrayList<>();
        if (!dirs.isEmpty()) {
            out.add("mkdir -m 755 " + String.join(" ", dirs));
        }
        chowns.forEach((owner, paths) -> out.add(owner + " " + String.join(" ", paths)));
        out.addAll(rest);
        return out;
    }

    /** The fstab entry of {@code m} at the host path {@code target}. */
    private static String entry(OciSpec.Mount m, String target, boolean cgroup2) {
        List<String> opts = new ArrayList<>(m.options());
        switch (m.type()) {
            case "bind" -> {
                List<String> flags = new ArrayList<>(List.of("rbind", opts.contains("ro") ? "ro" : "rw"));
                for (String f : List.of("nosuid", "nodev", "noexec")) {
                    if (opts.contains(f)) {
                        flags.add(f);
                    }
                }
                return fstab(m.source(), target, "none", String.join(",", flags));
            }
            case "cgroup" -> {
                // Without a cgroup namespace runc shows the host's hierarchy read-only; on a cgroup v1 or hybrid
                // host the built-in sandbox shows an empty read-only directory instead of the host's controllers.
                return cgroup2 ? fstab("cgroup2", target, "cgroup2", String.join(",", opts))
                        : fstab("tmpfs", target, "tmpfs", "ro,nosuid,nodev,noexec,mode=755");
            }
            default -> {
                return fstab(m.source(), target, m.type(), opts.isEmpty() ? "defaults" : String.join(",", opts));
            }
        }
    }

    /** One fstab line, paths escaped as fstab(5) wants (octal for space, tab, newline and backslash). */
    private static String fstab(String source, String target, String type, String options) {
        return field(source) + " " + field(target) + " " + type + " " + options;
    }

    private static String field(String path) {
        StringBuilder out = new StringBuilder();
        for (char c : path.toCharArray()) {
            switch (c) {
                case ' ' -> out.append("\\040");
                case '\t' -> out.append("\\011");
                case '\n' -> out.append("\\012");
                case '\\' -> out.append("\\134");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The template of {@code /dev}'s content: device nodes (empty files to bind onto when rootless), links, dirs. */
    private static Path devTemplate(Path work, boolean rootless, PosixFiles posix) throws IOException {
        Path dev = Files.createDirectory(work.resolve("dev"));
        try {
            for (String[] d : DEVICES) {
                Path node = dev.resolve(d[0]);
                if (rootless) {
                    Files.createFile(node);
                } else {
                    posix.mknod(node, PosixFiles.S_IFCHR | 0666,
                            DeviceNumbers.makedev(Integer.parseInt(d[1]), Integer.parseInt(d[2])));
                    Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rw-rw-rw-"));
                }
            }
            for (String[] l : DEV_LINKS) {
                posix.symlink(l[0], dev.resolve(l[1]));
            }
            for (String d : DEV_DIRS) {
                Files.createDirectory(dev.resolve(d.substring("/dev/".length())));
            }
        } catch (LayerException e) {
            throw new IOException("cannot make the /dev template in " + dev + ": " + e.getMessage(), e);
        }
        return dev;
    }

    static boolean mountedIn(List<String> ownMounts, String path) {
        return ownMounts.stream().anyMatch(m -> path.startsWith(m + "/"));
    }

    static boolean underOwnMount(List<String> ownMounts, String dest) {
        for (String m : ownMounts) {
            if (dest.startsWith(m + "/")) {
                return true;
            }
        }
        return false;
    }

    /** fstab entries collected until a command must run between mounts. Not thread-safe. */
    private static final class Batch {
        private final Path work;
        private final List<String> early = new ArrayList<>();
        private final List<String> lines = new ArrayList<>();
        private final List<String> entries = new ArrayList<>();
        private int files;

        Batch(Path work) {
            this.work = work;
        }

        void add(String entry) {
            entries.add(entry);
        }

        /** Writes the pending entries to an fstab file and adds the one {@code mount -a} that mounts them. */
        void flush() throws IOException {
            if (entries.isEmpty()) {
                return;
            }
            Path file = work.resolve("fstab." + files++);
            Files.write(file, entries);
            lines.add("mount -a --fstab " + Shell.quote(file.toString()));
            entries.clear();
        }
    }
}
