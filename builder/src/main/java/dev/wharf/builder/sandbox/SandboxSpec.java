package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.RootView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a sandbox needs to run one process, as BuildKit's {@code executor.Meta} plus the root filesystem and
 * mounts: the snapshot's mounts, argv, environment, numeric user, working directory, hostname, network mode, extra
 * mounts and the {@code /etc/hosts} and {@code /etc/resolv.conf} files that wharf supplies (bind-mounted read-only,
 * never written into the root filesystem). Immutable and thread-safe; build one with {@link #builder}.
 *
 * @param rootfs          the root filesystem, as a snapshotter's {@link Mount}s (performed inside the sandbox)
 * @param args            argv; {@code args[0]} is looked up in the sandbox's {@code PATH} by the runtime
 * @param env             {@code KEY=value} entries, exactly the process environment
 * @param user            the numeric identity, see {@link UserResolver}
 * @param cwd             absolute working directory, created if missing (as runc does)
 * @param hostname        the UTS hostname
 * @param network         own loopback-only network namespace or the host's
 * @param mounts          extra mounts, performed in list order after the standard ones
 * @param hostsFile       host file bind-mounted read-only at {@code /etc/hosts}
 * @param resolvConf      host file bind-mounted read-only at {@code /etc/resolv.conf}
 * @param ulimits         resource limits; empty keeps the runtime's (BuildKit drops containerd's default NOFILE)
 * @param noNewPrivileges set {@code no_new_privs}; BuildKit leaves it off ({@code oci.WithNewPrivileges}) so that
 *                        setuid programs such as {@code su} work in RUN steps
 * @param seccomp         filter system calls with Docker's default seccomp profile ({@link SeccompProfile}), as
 *                        BuildKit does unless the step is {@code --security=insecure}; the OCI runtimes apply it,
 *                        the built-in sandbox cannot
 * @param resources       cgroup limits of memory, CPUs and processes for the whole sandbox
 * @param shmSizeBytes    the size of {@code /dev/shm}
 * @param rootView        a view of {@code rootfs}'s layers ({@link RootView#of}), through which the sandbox reads the
 *                        root filesystem before mounting it (mount stubs, the working directory): the caller's own,
 *                        when it already read the root (the RUN step resolving its user), so that what the view
 *                        remembers of the committed layers is read once per run
 */
public record SandboxSpec(List<Mount> rootfs, List<String> args, List<String> env, ProcessUser user, String cwd,
                          String hostname, NetworkMode network, List<SandboxMount> mounts, Path hostsFile,
                          Path resolvConf, List<Ulimit> ulimits, boolean noNewPrivileges, boolean seccomp,
                          ResourceLimits resources, long shmSizeBytes, RootView rootView) {
    /** BuildKit's hostname for build containers ({@code executor/oci/hosts.go}, {@code defaultHostname}). */
    public static final String DEFAULT_HOSTNAME = "buildkitsandbox";

    /** The size of {@code /dev/shm} unless {@code --shm-size} says otherwise: 64 MiB, as BuildKit and Docker. */
    public static final long DEFAULT_SHM_SIZE = 64L * 1024 * 1024;

    public SandboxSpec {
        rootfs = List.copyOf(rootfs);
        args = List.copyOf(args);
        env = List.copyOf(env);
        mounts = List.copyOf(mounts);
        ulimits = List.copyOf(ulimits);
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(rootView, "rootView");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(hostsFile, "hostsFile");
        Objects.requireNonNull(resolvConf, "resolvConf");
        if (shmSizeBytes <= 0) {
            throw new IllegalArgumentException("the /dev/shm size must be positive, not " + shmSizeBytes);
        }
        if (rootfs.isEmpty()) {
            throw new IllegalArgumentException("a sandbox needs a root filesystem mount");
        }
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a sandbox needs a command");
        }
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("cwd must be absolute: " + cwd);
        }
        for (String e : env) {
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("env entry must be KEY=value: " + e);
            }
        }
    }

    /** Starts a spec with BuildKit's defaults: root, cwd {@code /}, hostname {@code buildkitsandbox}, no network. */
    public static Builder builder(List<Mount> rootfs, List<String> args, Path hostsFile, Path resolvConf) {
        return new Builder(rootfs, args, hostsFile, resolvConf);
    }

    /** A mutable builder of {@link SandboxSpec}; not thread-safe. */
    public static final class Builder {
        private final List<Mount> rootfs;
        private final List<String> args;
        private final Path hostsFile;
        private final Path resolvConf;
        private List<String> env = List.of();
        private ProcessUser user = ProcessUser.ROOT;
        private String cwd = "/";
        private String hostname = DEFAULT_HOSTNAME;
        private NetworkMode network = NetworkMode.NONE;
        private final List<SandboxMount> mounts = new ArrayList<>();
        private List<Ulimit> ulimits = List.of();
        private ResourceLimits resources = ResourceLimits.none();
        private boolean noNewPrivileges;
        private boolean seccomp = true;
        private long shmSizeBytes = DEFAULT_SHM_SIZE;
        private RootView rootView;

        private Builder(List<Mount> rootfs, List<String> args, Path hostsFile, Path resolvConf) {
            this.rootfs = rootfs;
            this.args = args;
            this.hostsFile = hostsFile;
            this.resolvConf = resolvConf;
        }

        public Builder env(List<String> value) {
            env = value;
            return this;
        }

        public Builder user(ProcessUser value) {
            user = value;
            return this;
        }

        public Builder cwd(String value) {
            cwd = value;
            return this;
        }

        public Builder hostname(String value) {
            hostname = value;
            return this;
        }

        public Builder network(NetworkMode value) {
            network = value;
            return this;
        }

        public Builder mount(SandboxMount value) {
            mounts.add(value);
            return this;
        }

        public Builder ulimits(List<Ulimit> value) {
            ulimits = value;
            return this;
        }

        /** cgroup limits (memory, CPUs, pids) for the whole sandbox; none by default. */
        public Builder resources(ResourceLimits value) {
            resources = Objects.requireNonNull(value, "resources");
            return this;
        }

        public Builder noNewPrivileges(boolean value) {
            noNewPrivileges = value;
            return this;
        }

        public Builder seccomp(boolean value) {
            seccomp = value;
            return this;
        }

        /** The size of the sandbox's {@code /dev/shm} tmpfs ({@code --shm-size}); 64 MiB by default. */
        public Builder shmSize(long bytes) {
            shmSizeBytes = bytes;
            return this;
        }

        /**
         * The view of the root filesystem the caller already made of the same mounts ({@code RootView.of(rootfs)});
         * a new one when not given.
         */
        public Builder rootView(RootView value) {
            rootView = Objects.requireNonNull(value, "rootView");
            return this;
        }

        public SandboxSpec build() {
            return new SandboxSpec(rootfs, args, env, user, cwd, hostname, network, mounts, hostsFile, resolvConf,
                    ulimits, noNewPrivileges, seccomp, resources, shmSizeBytes,
                    rootView != null ? rootView : RootView.of(rootfs));
        }
    }
}
