package dev.wharf.builder.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The subset of the OCI runtime spec ({@code config.json}, runtime-spec 1.0.2) that wharf generates, as Jackson
 * records whose component names are the JSON field names. Empty and absent fields are left out of the JSON.
 * Immutable and thread-safe.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"ociVersion", "process", "root", "hostname", "mounts", "linux"})
public record OciSpec(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts,
                      Linux linux) {
    public OciSpec {
        mounts = List.copyOf(mounts);
    }

    /** {@code process}: what to run and with which identity and privileges. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
                          Capabilities capabilities, List<Rlimit> rlimits, boolean noNewPrivileges) {
        public Process {
            args = List.copyOf(args);
            env = List.copyOf(env);
            rlimits = rlimits == null || rlimits.isEmpty() ? null : List.copyOf(rlimits);
        }
    }

    /** {@code process.user}. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record User(long uid, long gid, List<Long> additionalGids) {
        public User {
            additionalGids = List.copyOf(additionalGids);
        }
    }

    /** {@code process.capabilities}: containerd sets bounding, effective and permitted only. */
    public record Capabilities(List<String> bounding, List<String> effective, List<String> permitted) {
        public Capabilities {
            bounding = List.copyOf(bounding);
            effective = List.copyOf(effective);
            permitted = List.copyOf(permitted);
        }
    }

    /** {@code process.rlimits[]}. */
    public record Rlimit(String type, long hard, long soft) {
    }

    /** {@code root}: the root filesystem directory relative to the bundle. */
    public record Root(String path, boolean readonly) {
    }

    /** {@code mounts[]}. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Mount(String destination, String type, String source, List<String> options) {
        public Mount {
            options = List.copyOf(options);
        }
    }

    /** {@code linux}; {@code seccomp} is null when unconfined. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Linux(List<Namespace> namespaces, List<String> maskedPaths, List<String> readonlyPaths,
                        String cgroupsPath, Resources resources, Seccomp seccomp) {
        public Linux {
            namespaces = List.copyOf(namespaces);
            maskedPaths = List.copyOf(maskedPaths);
            readonlyPaths = List.copyOf(readonlyPaths);
        }

        /** Without a seccomp filter. */
        public Linux(List<Namespace> namespaces, List<String> maskedPaths, List<String> readonlyPaths,
                     String cgroupsPath, Resources resources) {
            this(namespaces, maskedPaths, readonlyPaths, cgroupsPath, resources, null);
        }
    }

    /** {@code linux.seccomp}: the filter's default action, architectures and per-syscall rules. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Seccomp(String defaultAction, Long defaultErrnoRet, List<String> architectures,
                          List<Syscall> syscalls) {
        public Seccomp {
            architectures = List.copyOf(architectures);
            syscalls = List.copyOf(syscalls);
        }
    }

    /** {@code linux.seccomp.syscalls[]}. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Syscall(List<String> names, String action, Long errnoRet, List<SyscallArg> args) {
        public Syscall {
            names = List.copyOf(names);
            args = List.copyOf(args);
        }
    }

    /** {@code linux.seccomp.syscalls[].args[]}. */
    public record SyscallArg(long index, long value, long valueTwo, String op) {
    }

    /** {@code linux.namespaces[]}: a new namespace of the given type. */
    public record Namespace(String type) {
    }

    /**
     * {@code linux.resources}: the device cgroup rules containerd's default spec has, and the memory, CPU and pids
     * limits of {@code --memory}, {@code --cpus}, {@code --pids-limit} (null when not set).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids) {
        public Resources {
            devices = List.copyOf(devices);
        }

        /** Only device rules. */
        public Resources(List<DeviceRule> devices) {
            this(devices, null, null, null);
        }
    }

    /** {@code linux.resources.memory}: limit and memory+swap limit in bytes. */
    public record Memory(long limit, long swap) {
    }

    /** {@code linux.resources.cpu}: CFS quota and period in microseconds. */
    public record Cpu(long quota, long period) {
    }

    /** {@code linux.resources.pids}. */
    public record Pids(long limit) {
    }

    /** {@code linux.resources.devices[]}. */
    public record DeviceRule(boolean allow, String access) {
    }
}
