package dev.wharf.builder.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.json.JsonTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Docker's default seccomp profile as the {@code linux.seccomp} section of an OCI spec. The profile is the data file
 * {@code seccomp-default.json} beside this class, moby's {@code profiles/seccomp/default.json} (Apache-2.0, commit
 * {@code cd3bed80}); {@link #resolve} turns it into the runtime's form the way moby's {@code setupSeccomp} does:
 * the host architecture's entry of {@code archMap}, and only the rules whose {@code includes} hold (every listed
 * capability in the bounding set, the architecture listed, the kernel at least {@code minKernel}) and whose
 * {@code excludes} do not. Everything not allowed fails with {@code EPERM}: {@code keyctl}, {@code add_key},
 * {@code unshare}, {@code mount} and {@code clone} of new namespaces without {@code CAP_SYS_ADMIN}, and so on.
 * Immutable and thread-safe.
 */
public final class SeccompProfile {
    private static final String RESOURCE = "seccomp-default.json";
    private static final Map<String, String> GO_ARCH = Map.of("amd64", "amd64", "x86_64", "amd64",
            "aarch64", "arm64", "arm64", "arm64", "x86", "x86", "i386", "x86", "arm", "arm", "ppc64le", "ppc64le",
            "s390x", "s390x", "riscv64", "riscv64");
    private static final Map<String, String> SECCOMP_ARCH = Map.of("amd64", "SCMP_ARCH_X86_64",
            "arm64", "SCMP_ARCH_AARCH64", "x86", "SCMP_ARCH_X86", "arm", "SCMP_ARCH_ARM",
            "ppc64le", "SCMP_ARCH_PPC64LE", "s390x", "SCMP_ARCH_S390X", "riscv64", "SCMP_ARCH_RISCV64");

    private final JsonNode profile;

    private SeccompProfile(JsonNode profile) {
        this.profile = profile;
    }

    /**
     * Docker's default profile, read and parsed once per JVM: the data file never changes and the profile is
     * immutable. Every sandbox of every build used to read it again; in a fresh CLI JVM the first read (the
     * process's first resource read from the jar, JSON tree classes set up) took 13-20 ms and each one after it
     * 3-7 ms, on the path of the first RUN step, which the CLI's start-up warm-up now takes off it.
     */
    public static SeccompProfile dockerDefault() {
        if (Default.PROFILE == null) {
            throw new IllegalStateException(Default.FAILURE.getMessage(), Default.FAILURE);
        }
        return Default.PROFILE;
    }

    /** The default profile, read when first asked for; {@link #FAILURE} says why when it cannot be. */
    private static final class Default {
        static final SeccompProfile PROFILE;
        static final RuntimeException FAILURE;

        static {
            SeccompProfile profile = null;
            RuntimeException failure = null;
            try {
                profile = read();
            } catch (RuntimeException e) {
                failure = e;
            }
            PROFILE = profile;
            FAILURE = failure;
        }

        private Default() {
        }
    }

    private static SeccompProfile read() {
        try (InputStream in = SeccompProfile.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the seccomp profile " + RESOURCE + " is missing from wharf's jar");
            }
            return new SeccompProfile(JsonTrees.parse(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the seccomp profile " + RESOURCE, e);
        }
    }

    /**
     * The profile for a process with the {@code bounding} capabilities on {@code osArch} (Java's {@code os.arch})
     * under kernel {@code major.minor}.
     */
    public OciSpec.Seccomp resolve(String osArch, List<String> bounding, int major, int minor) {
        String arch = GO_ARCH.getOrDefault(osArch.toLowerCase(Locale.ROOT), osArch);
        List<String> architectures = new ArrayList<>();
        String seccompArch = SECCOMP_ARCH.get(arch);
        for (JsonNode a : profile.path("archMap")) {
            if (a.path("architecture").asText().equals(seccompArch)) {
                architectures.add(seccompArch);
                a.path("subArchitectures").forEach(s -> architectures.add(s.asText()));
                break;
            }
        }
        List<OciSpec.Syscall> syscalls = new ArrayList<>();
        for (JsonNode call : profile.path("syscalls")) {
            if (applies(call, arch, bounding, major, minor)) {
                List<String> names = new ArrayList<>();
                call.path("names").forEach(n -> names.add(n.asText()));
                List<OciSpec.SyscallArg> args = new ArrayList<>();
                for (JsonNode a : call.path("args")) {
                    args.add(new OciSpec.SyscallArg(a.path("index").asLong(), a.path("value").asLong(),
                            a.path("valueTwo").asLong(), a.path("op").asText()));
                }
                Long errno = call.has("errnoRet") ? call.get("errnoRet").asLong() : null;
                syscalls.add(new OciSpec.Syscall(names, call.path("action").asText(), errno, args));
            }
        }
        Long defaultErrno = profile.has("defaultErrnoRet") ? profile.get("defaultErrnoRet").asLong() : null;
        return new OciSpec.Seccomp(profile.path("defaultAction").asText(), defaultErrno, architectures, syscalls);
    }

    /** {@link #resolve} for this JVM's architecture and running kernel. */
    public OciSpec.Seccomp forHost(List<String> bounding) {
        int[] kernel = HostKernel.version();
        return resolve(System.getProperty("os.arch", ""), bounding, kernel[0], kernel[1]);
    }

    private static boolean applies(JsonNode call, String arch, List<String> bounding, int major, int minor) {
        JsonNode ex = call.path("excludes");
        if (contains(ex.path("arches"), arch)) {
            return false;
        }
        for (JsonNode c : ex.path("caps")) {
            if (bounding.contains(c.asText())) {
                return false;
            }
        }
        if (ex.has("minKernel") && atLeast(ex.get("minKernel").asText(), major, minor)) {
            return false;
        }
        JsonNode in = call.path("includes");
        if (in.path("arches").size() > 0 && !contains(in.path("arches"), arch)) {
            return false;
        }
        for (JsonNode c : in.path("caps")) {
            if (!bounding.contains(c.asText())) {
                return false;
            }
        }
        return !in.has("minKernel") || atLeast(in.get("minKernel").asText(), major, minor);
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean atLeast(String version, int major, int minor) {
        String[] v = version.split("\\.");
        int ma = Integer.parseInt(v[0]);
        int mi = v.length > 1 ? Integer.parseInt(v[1]) : 0;
        return major > ma || (major == ma && minor >= mi);
    }

    /** The running kernel's version. */
    static final class HostKernel {
        private HostKernel() {
        }

        static int[] version() {
            try {
                String[] v = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/osrelease"))
                        .trim().split("[.-]");
                return new int[] {Integer.parseInt(v[0]), Integer.parseInt(v[1])};
            } catch (IOException | RuntimeException e) {
                return new int[] {0, 0};
            }
        }
    }
}
