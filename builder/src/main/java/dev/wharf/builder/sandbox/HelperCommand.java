package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.RootView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The command line of the native sandbox helper ({@code src/main/c/wharf-sandbox.c}, see {@link HelperBinary}): the
 * same namespaces, mounts, devices, masked and read-only paths, identity and limits that {@link SetupScript} and the
 * exec chain of {@link UnshareSandbox} give the shell path, as a list of operations the helper performs with system
 * calls in one process. Mount options are turned into {@code mount(2)} flags here, as mount(8) would turn them (a
 * bind mount with flags is a bind plus a remount). Stateless.
 */
final class HelperCommand {
    // <sys/mount.h>: the same values on every Linux architecture.
    static final long MS_RDONLY = 1;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final long MS_NOEXEC = 8;
    static final long MS_SYNCHRONOUS = 16;
    static final long MS_REMOUNT = 32;
    static final long MS_DIRSYNC = 128;
    static final long MS_NOATIME = 1024;
    static final long MS_NODIRATIME = 2048;
    static final long MS_BIND = 4096;
    static final long MS_REC = 16384;
    static final long MS_RELATIME = 1 << 21;
    static final long MS_STRICTATIME = 1 << 24;

    private static final Map<String, Long> FLAGS = Map.ofEntries(
            Map.entry("ro", MS_RDONLY), Map.entry("rw", 0L), Map.entry("defaults", 0L),
            Map.entry("nosuid", MS_NOSUID), Map.entry("nodev", MS_NODEV), Map.entry("noexec", MS_NOEXEC),
            Map.entry("sync", MS_SYNCHRONOUS), Map.entry("dirsync", MS_DIRSYNC), Map.entry("noatime", MS_NOATIME),
            Map.entry("nodiratime", MS_NODIRATIME), Map.entry("relatime", MS_RELATIME),
            Map.entry("strictatime", MS_STRICTATIME), Map.entry("bind", MS_BIND),
            Map.entry("rbind", MS_BIND | MS_REC));

    /** Capability numbers of {@link OciSpecFactory#DEFAULT_CAPABILITIES} ({@code linux/capability.h}). */
    private static final Map<String, Integer> CAPABILITIES = Map.ofEntries(
            Map.entry("CAP_CHOWN", 0), Map.entry("CAP_DAC_OVERRIDE", 1), Map.entry("CAP_FOWNER", 3),
            Map.entry("CAP_FSETID", 4), Map.entry("CAP_KILL", 5), Map.entry("CAP_SETGID", 6),
            Map.entry("CAP_SETUID", 7), Map.entry("CAP_SETPCAP", 8), Map.entry("CAP_NET_BIND_SERVICE", 10),
            Map.entry("CAP_NET_RAW", 13), Map.entry("CAP_SYS_CHROOT", 18), Map.entry("CAP_MKNOD", 27),
            Map.entry("CAP_AUDIT_WRITE", 29), Map.entry("CAP_SETFCAP", 31));

    private HelperCommand() {
    }

    /**
     * Facts of the sandbox instance the command depends on. Immutable.
     *
     * @param limits          the host's hard limits, which ulimits are capped at
     * @param cgroup2         the host has the unified cgroup hierarchy (else {@code /sys/fs/cgroup} is an empty tmpfs)
     * @param rootless        uid 0 of a user namespace: no {@code /sys}, host device nodes bound in
     * @param setgroupsDenied {@code setgroups(2)} is denied in this user namespace: groups stay as they are
     */
    record Host(HostLimits limits, boolean cgroup2, boolean rootless, boolean setgroupsDenied) {
    }

    /**
     * The helper's first option, {@code parent <this JVM's pid>}: the helper runs only while its parent is this JVM.
     * The JVM starts a process through a spawn helper that execs it some time later; a JVM killed in between (a
     * {@code kill -9} of the build) would otherwise leave the sandbox to start as an orphan, with a parent-death
     * signal tied to nobody, and run the step after the build is gone, writing into the bundle and the snapshot that
     * the next build's sweep is deleting.
     */
    static List<String> parent() {
        return List.of("parent", Long.toString(ProcessHandle.current().pid()));
    }

    /**
     * The helper's argv for {@code spec}: mount the root at {@code rootDir}, enter the cgroups whose
     * {@code cgroup.procs} files are {@code cgroupProcs}, start the command's PID 1 in the cgroup v2 directory
     * {@code unifiedCgroup}, create {@code ready} when set up, then exec the command.
     */
    static List<String> of(Path helper, SandboxSpec spec, RootView view, Path rootDir, Path ready,
                           List<Path> cgroupProcs, Optional<Path> unifiedCgroup, Host host)
            throws IOException, SandboxException {
        List<String> argv = new ArrayList<>();
        argv.add(helper.toString());
        argv.addAll(parent());
        for (Path procs : cgroupProcs) {
            argv.add("cgroup");
            argv.add(procs.toString());
        }
        unifiedCgroup.ifPresent(dir -> argv.addAll(List.of("cgroup2", dir.toString())));
        if (spec.network() == NetworkMode.NONE) {
            argv.add("net");
        }
        argv.addAll(List.of("hostname", spec.hostname(), "root", rootDir.toString(), "ready", ready.toString()));
        for (String e : spec.env()) {
            argv.add("env");
            argv.add(e);
        }
        for (Ulimit u : spec.ulimits()) {
            Ulimit capped = host.limits().cap(u);
            argv.addAll(List.of("rlimit", capped.name(), Long.toString(capped.soft()), Long.toString(capped.hard())));
        }
        argv.add("caps");
        argv.add(Long.toString(capabilityMask(OciSpecFactory.DEFAULT_CAPABILITIES)));
        if (spec.noNewPrivileges()) {
            argv.add("nnp");
        }
        argv.addAll(List.of("uid", Long.toString(spec.user().uid()), "gid", Long.toString(spec.user().gid())));
        if (!host.setgroupsDenied()) {
            // As BuildKit's ensureAdditionalGids: the primary gid is a supplementary group too. A single-id user
            // namespace forbids setgroups(2); there the groups stay as they are.
            argv.add("groups");
            argv.add(spec.user().groupsWithPrimary().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        argv.addAll(List.of("cwd", spec.cwd()));
        String root = rootDir.toString();
        for (Mount m : spec.rootfs()) {
            rootfs(argv, m, root);
        }
        mounts(argv, OciSpecFactory.mounts(spec, host.rootless()), view, host, root);
        for (String dir : MountScript.missingDirs(view, spec.cwd())) {
            mkdir(argv, root + dir, spec.user());
        }
        argv.add("--");
        argv.addAll(spec.args());
        return argv;
    }

    /**
     * The helper's argv for starting an OCI runtime as {@link OciRuntimeSandbox} does: PID 1 of new mount and PID
     * namespaces with its own {@code /proc} (util-linux's {@code --mount-proc}), the root filesystem mounted at
     * {@code rootDir}, the working directory made for the user, {@code hide} unmounted (crun on a cgroup hybrid
     * host), {@code ready} created, then {@code runtime} executed in the host's root.
     */
    static List<String> forRuntime(Path helper, SandboxSpec spec, RootView view, Path rootDir, Path ready,
                                   List<String> hide, List<String> runtime) throws IOException, SandboxException {
        List<String> argv = new ArrayList<>(List.of(helper.toString()));
        argv.addAll(parent());
        argv.addAll(List.of("host", "ready", ready.toString()));
        // The helper has made every mount private already; a fresh proc shows the new PID namespace.
        mount(argv, "proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, "");
        String root = rootDir.toString();
        for (Mount m : spec.rootfs()) {
            rootfs(argv, m, root);
        }
        // BuildKit's runcexecutor creates the working directory, owned by the process's user, before running.
        for (String dir : MountScript.missingDirs(view, spec.cwd())) {
            mkdir(argv, root + dir, spec.user());
        }
        for (String path : hide) {
            argv.addAll(List.of("hide", path));
        }
        argv.add("--");
        argv.addAll(runtime);
        return argv;
    }

    /** The bounding-set mask of {@code capabilities}. */
    static long capabilityMask(List<String> capabilities) {
        long mask = 0;
        for (String c : capabilities) {
            Integer bit = CAPABILITIES.get(c);
            if (bit == null) {
                throw new IllegalArgumentException("no capability number known for " + c);
            }
            mask |= 1L << bit;
        }
        return mask;
    }

    private static void rootfs(List<String> argv, Mount m, String root) throws SandboxException {
        switch (m.type()) {
            case "bind" -> {
                mount(argv, m.source(), root, "", MS_BIND | MS_REC, "");
                if (m.readOnly()) {
                    mount(argv, "none", root, "", MS_REMOUNT | MS_BIND | MS_RDONLY, "");
                }
            }
            case "overlay" -> {
                MountScript.OverlayOptions o = MountScript.overlayOptions(m);
                o.base().ifPresent(base -> argv.addAll(List.of("chdir", base.toString())));
                mount(argv, "overlay", root, "overlay", 0, o.options());
            }
            default -> throw new SandboxException("cannot mount a root filesystem of type " + m.type()
                    + "; the snapshotter must return bind or overlay mounts");
        }
    }

    /** {@link SetupScript#mounts}'s plan as operations: mount points, mounts, /dev's content, masks, read-only. */
    private static void mounts(List<String> argv, List<OciSpec.Mount> mounts, RootView view, Host host, String root)
            throws IOException {
        List<String> ownMounts = new ArrayList<>();
        for (OciSpec.Mount m : mounts) {
            String dest = SetupScript.underOwnMount(ownMounts, m.destination()) ? m.destination()
                    : view.canonical(m.destination());
            boolean file = m.type().equals("bind") && !Files.isDirectory(Path.of(m.source()));
            String target = root + dest;
            if (SetupScript.underOwnMount(ownMounts, dest)) {
                if (!SetupScript.DEV_DIRS.contains(dest)) {
                    argv.addAll(List.of(file ? "touch" : "mkdirs", target));
                }
            } else if (file) {
                String parent = dest.substring(0, Math.max(dest.lastIndexOf('/'), 1));
                for (String dir : MountScript.missingDirs(view, parent)) {
                    mkdir(argv, root + dir, ProcessUser.ROOT);
                }
                argv.addAll(List.of("touch", target));
            } else {
                for (String dir : MountScript.missingDirs(view, dest)) {
                    mkdir(argv, root + dir, ProcessUser.ROOT);
                }
            }
            entry(argv, m, target, host.cgroup2());
            if (m.destination().equals("/dev") && m.type().equals("tmpfs")) {
                dev(argv, target, host.rootless());
            }
            ownMounts.add(dest);
        }
        for (String p : OciSpecFactory.MASKED_PATHS) {
            Path hostPath = Path.of(p);
            if (!SetupScript.mountedIn(ownMounts, p) || !Files.exists(hostPath)) {
                continue;
            }
            if (Files.isDirectory(hostPath)) {
                mount(argv, "tmpfs", root + p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "");
            } else {
                mount(argv, "/dev/null", root + p, "", MS_BIND, "");
            }
        }
        for (String p : OciSpecFactory.READONLY_PATHS) {
            if (SetupScript.mountedIn(ownMounts, p) && Files.exists(Path.of(p))) {
                mount(argv, root + p, root + p, "", MS_BIND, "");
                mount(argv, "none", root + p, "", MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
                        | MS_NOEXEC, "");
            }
        }
    }

    /** runc's default device nodes (bound from the host's in a user namespace), its links, and the mount points. */
    private static void dev(List<String> argv, String dev, boolean rootless) {
        for (String[] d : SetupScript.DEVICES) {
            String node = dev + "/" + d[0];
            if (rootless) {
                argv.addAll(List.of("touch", node));
                mount(argv, "/dev/" + d[0], node, "", MS_BIND, "");
            } else {
                argv.addAll(List.of("mknod", node, d[1], d[2]));
            }
        }
        for (String[] l : SetupScript.DEV_LINKS) {
            argv.addAll(List.of("symlink", l[0], dev + "/" + l[1]));
        }
        for (String d : SetupScript.DEV_DIRS) {
            argv.addAll(List.of("mkdir", dev + d.substring("/dev".length()), "755", "-1", "-1"));
        }
    }

    /** One spec mount, as mount(8) would make it from {@link SetupScript}'s fstab entry. */
    private static void entry(List<String> argv, OciSpec.Mount m, String target, boolean cgroup2) {
        List<String> opts = m.options();
        switch (m.type()) {
            case "bind" -> {
                mount(argv, m.source(), target, "", MS_BIND | MS_REC, "");
                long flags = 0;
                for (String f : List.of("ro", "nosuid", "nodev", "noexec")) {
                    if (opts.contains(f)) {
                        flags |= FLAGS.get(f);
                    }
                }
                if (flags != 0) {
                    mount(argv, "none", target, "", MS_REMOUNT | MS_BIND | flags, "");
                }
            }
            case "cgroup" -> {
                // As SetupScript: the host's cgroup2 read-only, or an empty read-only tmpfs on a v1 or hybrid host.
                if (cgroup2) {
                    mountWithOptions(argv, "cgroup2", target, "cgroup2", opts);
                } else {
                    mountWithOptions(argv, "tmpfs", target, "tmpfs", List.of("ro", "nosuid", "nodev", "noexec",
                            "mode=755"));
                }
            }
            default -> mountWithOptions(argv, m.source(), target, m.type(), opts);
        }
    }

    private static void mountWithOptions(List<String> argv, String source, String target, String type,
                                         List<String> options) {
        long flags = 0;
        List<String> data = new ArrayList<>();
        for (String o : options) {
            Long flag = FLAGS.get(o);
            if (flag != null) {
                flags |= flag;
            } else {
                data.add(o);
            }
        }
        mount(argv, source, target, type, flags, String.join(",", data));
    }

    private static void mount(List<String> argv, String source, String target, String type, long flags,
                              String data) {
        argv.addAll(List.of("mount", source, target, type, Long.toString(flags), data));
    }

    private static void mkdir(List<String> argv, String path, ProcessUser owner) {
        argv.addAll(List.of("mkdir", path, "755", Long.toString(owner.uid()), Long.toString(owner.gid())));
    }
}
