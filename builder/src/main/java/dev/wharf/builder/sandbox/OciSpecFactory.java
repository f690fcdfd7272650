package dev.wharf.builder.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the OCI runtime spec for a {@link SandboxSpec} as a pure function, reproducing what BuildKit's
 * {@code executor/oci/spec.go} ({@code GenerateSpec}) produces on top of containerd's defaults
 * ({@code pkg/oci/spec.go}, {@code populateDefaultUnixSpec}):
 * <ul>
 *   <li>containerd's default mounts without {@code /run} ({@code withRemovedMount("/run")}, moby/buildkit#429),
 *       then {@code /etc/resolv.conf} and {@code /etc/hosts} read-only binds and a read-only {@code /sys/fs/cgroup}
 *       ({@code generateMountOpts}), then the step's mounts, deduplicated by destination ({@code dedupMounts});</li>
 *   <li>the 14 default capabilities in bounding, effective and permitted sets ({@code defaultUnixCaps});</li>
 *   <li>masked and read-only {@code /proc} and {@code /sys} paths, a deny-all device cgroup rule;</li>
 *   <li>pid, ipc, uts and mount namespaces, a network namespace unless the network is the host's, and a cgroup
 *       namespace where cgroup v2 supports it ({@code cgroupV2NamespaceSupported});</li>
 *   <li>no rlimits unless the step sets ulimits (BuildKit resets containerd's NOFILE default), and those are capped
 *       at the host's hard limits;</li>
 *   <li>{@code noNewPrivileges} only when asked: BuildKit applies {@code oci.WithNewPrivileges}.</li>
 * </ul>
 * Docker's default seccomp profile ({@link SeccompProfile}) unless the spec opts out; AppArmor and SELinux profiles
 * are not generated. Immutable and thread-safe.
 */
public final class OciSpecFactory {
    /** The OCI runtime-spec version written to {@code ociVersion}, as containerd's vendored specs-go. */
    public static final String OCI_VERSION = "1.0.2";

    /** containerd's {@code defaultUnixCaps}, the capabilities Docker grants by default. */
    public static final List<String> DEFAULT_CAPABILITIES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
            "CAP_KILL", "CAP_AUDIT_WRITE");

    /** containerd's default masked paths: hidden behind {@code /dev/null} or an empty read-only tmpfs. */
    public static final List<String> MASKED_PATHS = List.of(
            "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/sys/devices/virtual/powercap",
            "/proc/scsi");

    /** containerd's default read-only paths. */
    public static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** The default cgroup parent: containerd's {@code /<namespace>/<id>} with wharf as the namespace. */
    public static final String DEFAULT_CGROUP_PARENT = "wharf";

    /**
     * Facts about the host that change the spec. Immutable.
     *
     * @param rootless the runtime runs as uid 0 of a user namespace ({@link UserNamespaces}): as BuildKit's
     *                 {@code util/rootless/specconv} ({@code ToRootless}) does, the spec then has no {@code /sys}
     *                 mounts (sysfs cannot be mounted while the network namespace is the host's) and no cgroup path
     *                 or resources (the user may not create cgroups)
     */
    public record HostFacts(HostLimits limits, boolean cgroupNamespace, boolean rootless) {
        /** Facts of a host where the runtime runs as real root. */
        public HostFacts(HostLimits limits, boolean cgroupNamespace) {
            this(limits, cgroupNamespace, false);
        }
    }

    private final String cgroupParent;
    private final OciSpec.Seccomp seccomp = SeccompProfile.dockerDefault().forHost(DEFAULT_CAPABILITIES);

    /** A factory placing containers' cgroups under {@code /wharf/<id>}. */
    public OciSpecFactory() {
        this(DEFAULT_CGROUP_PARENT);
    }

    /** A factory placing containers' cgroups under {@code /<cgroupParent>/<id>}. */
    public OciSpecFactory(String cgroupParent) {
        if (cgroupParent.isEmpty() || cgroupParent.contains("/") || cgroupParent.startsWith(".")) {
            throw new IllegalArgumentException("cgroup parent must be one path component: " + cgroupParent);
        }
        this.cgroupParent = cgroupParent;
    }

    /** The cgroup parent directory name. */
    public String cgroupParent() {
        return cgroupParent;
    }

    /**
     * The spec for {@code spec}, with the root filesystem at {@code rootPath} (relative to the bundle) and cgroups
     * under {@code /<cgroupParent>/<containerId>}.
     */
    public OciSpec create(SandboxSpec spec, String containerId, String rootPath, HostFacts host) {
        OciSpec.Process process = new OciSpec.Process(false,
                new OciSpec.User(spec.user().uid(), spec.user().gid(), spec.user().groupsWithPrimary()),
                spec.args(), spec.env(), spec.cwd(),
                new OciSpec.Capabilities(DEFAULT_CAPABILITIES, DEFAULT_CAPABILITIES, DEFAULT_CAPABILITIES),
                rlimits(spec, host.limits()), spec.noNewPrivileges());
        boolean readOnlyRoot = spec.rootfs().get(0).readOnly();
        return new OciSpec(OCI_VERSION, process, new OciSpec.Root(rootPath, readOnlyRoot), spec.hostname(),
                mounts(spec, host.rootless()), new OciSpec.Linux(namespaces(spec, host), MASKED_PATHS,
                READONLY_PATHS, host.rootless() ? null : cgroupsPath(containerId),
                host.rootless() ? null : resources(spec.resources()), spec.seccomp() ? seccomp : null));
    }

    /**
     * {@code /<parent>/<id>/ctr}: the run's own cgroup {@code /<parent>/<id>}, which wharf makes (with the step's
     * limits, if any) where it can, encloses the runtime's, so that its counters survive the container and a cancel
     * freezes and kills everything below it (see {@link OciRuntimeSandbox}).
     */
    private String cgroupsPath(String containerId) {
        return "/" + cgroupParent + "/" + containerId + "/ctr";
    }

    /** containerd's deny-all device rule, and the limits of {@code --memory}, {@code --cpus}, {@code --pids-limit}. */
    private static OciSpec.Resources resources(ResourceLimits limits) {
        List<OciSpec.DeviceRule> devices = List.of(new OciSpec.DeviceRule(false, "rwm"));
        OciSpec.Memory memory = limits.memoryBytes().isEmpty() ? null
                : new OciSpec.Memory(limits.memoryBytes().getAsLong(), limits.memoryBytes().getAsLong());
        OciSpec.Cpu cpu = limits.cpus().isEmpty() ? null
                : new OciSpec.Cpu(limits.cpuQuotaMicros().getAsLong(), ResourceLimits.CPU_PERIOD_MICROS);
        OciSpec.Pids pids = limits.pids().isEmpty() ? null : new OciSpec.Pids(limits.pids().getAsLong());
        return new OciSpec.Resources(devices, memory, cpu, pids);
    }

    /**
     * {@link #mounts(SandboxSpec)}, without the {@code /sys} mounts when {@code rootless} (BuildKit's
     * {@code ToRootless}) and with {@code /dev/pts} not owned by gid 5.
     */
    public static List<OciSpec.Mount> mounts(SandboxSpec spec, boolean rootless) {
        List<OciSpec.Mount> all = mounts(spec);
        if (!rootless) {
            return all;
        }
        // gid 5 (tty) of /dev/pts is unmapped without subordinate gids; runc's own rootless spec drops it too.
        return all.stream().filter(m -> !m.destination().equals("/sys") && !m.destination().startsWith("/sys/"))
                .map(m -> m.type().equals("devpts") ? new OciSpec.Mount(m.destination(), m.type(), m.source(),
                        m.options().stream().filter(o -> !o.equals("gid=5")).toList()) : m)
                .toList();
    }

    /** The standard mounts every sandbox gets, in containerd's order, {@code /run} removed as BuildKit does. */
    public static List<OciSpec.Mount> standardMounts() {
        return standardMounts(SandboxSpec.DEFAULT_SHM_SIZE);
    }

    /** The standard mounts with a {@code /dev/shm} of {@code shmBytes} ({@code --shm-size}). */
    public static List<OciSpec.Mount> standardMounts(long shmBytes) {
        return List.of(
                new OciSpec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new OciSpec.Mount("/dev", "tmpfs", "tmpfs",
                        List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new OciSpec.Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new OciSpec.Mount("/dev/shm", "tmpfs", "shm",
                        List.of("nosuid", "noexec", "nodev", "mode=1777", "size=" + shmOption(shmBytes))),
                new OciSpec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new OciSpec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
    }

    /** A tmpfs size option as Docker writes it: kibibytes when whole ({@code 65536k}), else bytes. */
    static String shmOption(long bytes) {
        return bytes % 1024 == 0 ? bytes / 1024 + "k" : Long.toString(bytes);
    }

    /** All mounts of the spec after the root filesystem: standard, etc files, cgroup, then the step's own. */
    public static List<OciSpec.Mount> mounts(SandboxSpec spec) {
        List<OciSpec.Mount> all = new ArrayList<>(standardMounts(spec.shmSizeBytes()));
        List<String> etcOptions = List.of("nosuid", "noexec", "nodev", "rbind", "ro");
        all.add(new OciSpec.Mount("/etc/resolv.conf", "bind", spec.resolvConf().toString(), etcOptions));
        all.add(new OciSpec.Mount("/etc/hosts", "bind", spec.hostsFile().toString(), etcOptions));
        all.add(new OciSpec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev")));
        for (SandboxMount m : spec.mounts()) {
            List<String> options = new ArrayList<>();
            if (m.type().equals("bind")) {
                options.add("rbind");
                options.add(m.readOnly() ? "ro" : "rw");
            } else {
                options.add("nosuid");
                if (m.readOnly()) {
                    options.add("ro");
                }
            }
            options.addAll(m.options());
            all.add(new OciSpec.Mount(m.destination(), m.type(), m.source(), options));
        }
        return dedup(all);
    }

    /** BuildKit's {@code dedupMounts}: a later mount on the same destination replaces the earlier one in place. */
    private static List<OciSpec.Mount> dedup(List<OciSpec.Mount> mounts) {
        Map<String, OciSpec.Mount> byDestination = new LinkedHashMap<>();
        for (OciSpec.Mount m : mounts) {
            byDestination.put(m.destination(), m);
        }
        return List.copyOf(byDestination.values());
    }

    private static List<OciSpec.Namespace> namespaces(SandboxSpec spec, HostFacts host) {
        List<OciSpec.Namespace> ns = new ArrayList<>();
        // containerd's defaultUnixNamespaces order.
        ns.add(new OciSpec.Namespace("pid"));
        ns.add(new OciSpec.Namespace("ipc"));
        ns.add(new OciSpec.Namespace("uts"));
        ns.add(new OciSpec.Namespace("mount"));
        if (spec.network() == NetworkMode.NONE) {
            ns.add(new OciSpec.Namespace("network"));
        }
        if (host.cgroupNamespace()) {
            ns.add(new OciSpec.Namespace("cgroup"));
        }
        return ns;
    }

    private static List<OciSpec.Rlimit> rlimits(SandboxSpec spec, HostLimits limits) {
        List<OciSpec.Rlimit> out = new ArrayList<>();
        for (Ulimit u : spec.ulimits()) {
            Ulimit capped = limits.cap(u);
            out.add(new OciSpec.Rlimit(capped.ociType(), capped.hard(), capped.soft()));
        }
        return out;
    }
}
