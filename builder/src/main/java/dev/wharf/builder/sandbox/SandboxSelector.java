package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses and creates the sandbox for {@code --runtime auto|runc|crun|builtin}. The decision ({@link #decide}) is a
 * pure function of the observed {@link Host}, so it is tested by value; {@link #select} observes the real host and
 * creates the sandbox. A host that cannot sandbox yields a {@link SandboxUnavailableException} that says why and
 * what to install. Immutable and thread-safe.
 */
public final class SandboxSelector {
    static final String INSTALL_HINT = "install runc (Debian/Ubuntu: apt-get install runc; Fedora: dnf install runc)"
            + " or make util-linux's unshare and setpriv available for the built-in sandbox";

    /**
     * What the selector needs to know about a host. Immutable.
     *
     * @param linux      running on Linux
     * @param root       running as uid 0 with {@code CAP_SYS_ADMIN}, in the initial user namespace or (rootless) in
     *                   one that {@link UserNamespaces} set up
     * @param namespaces the kernel offers mount, PID, UTS, IPC and network namespaces
     * @param rootless   {@code root} holds inside a user namespace, not on the host
     */
    public record Host(boolean linux, boolean root, boolean namespaces, Optional<Path> runc, Optional<Path> crun,
                       boolean builtinTools, boolean rootless) {
        /** A host observed in the initial user namespace. */
        public Host(boolean linux, boolean root, boolean namespaces, Optional<Path> runc, Optional<Path> crun,
                    boolean builtinTools) {
            this(linux, root, namespaces, runc, crun, builtinTools, false);
        }
    }

    /** The outcome: a runtime to use, or why none can be used. Immutable. */
    public record Decision(Optional<RuntimeChoice> runtime, String reason) {
    }

    private static final int CAP_SYS_ADMIN = 21;

    private final Executables tools;
    private final Path stateRoot;
    private final HostLimits limits;

    /** A selector creating sandboxes whose per-run state lives under {@code stateRoot}. */
    public SandboxSelector(Executables tools, Path stateRoot, HostLimits limits) {
        this.tools = tools;
        this.stateRoot = stateRoot;
        this.limits = limits;
    }

    /**
     * The selector of this host: its tools found on {@code PATH}, its limits read from {@code /proc/self/limits}
     * (none known when they cannot be read: the sandbox then sets no limit from them), per-run state under
     * {@code stateRoot}.
     */
    public static SandboxSelector onThisHost(Path stateRoot) {
        HostLimits limits;
        try {
            limits = HostLimits.current();
        } catch (IOException e) {
            limits = HostLimits.unlimited();
        }
        return new SandboxSelector(Executables.fromEnvironment(), stateRoot, limits);
    }

    /** Decides which runtime serves {@code choice} on {@code host}. */
    public static Decision decide(RuntimeChoice choice, Host host) {
        if (!host.linux()) {
            return none("RUN needs Linux namespaces and this host runs "
                    + System.getProperty("os.name", "another OS") + "; build on Linux (or in a Linux VM)");
        }
        if (!host.namespaces()) {
            return none("this kernel offers no mount/PID/UTS/IPC/network namespaces (/proc/self/ns is incomplete);"
                    + " use a kernel built with CONFIG_NAMESPACES");
        }
        if (!host.root()) {
            return none("RUN steps of a non-root user need a user namespace: run them through the `wharf` command,"
                    + " which enters one (with newuidmap and the user's /etc/subuid and /etc/subgid ranges when it"
                    + " has them; Debian/Ubuntu: apt-get install uidmap), or as root");
        }
        switch (choice) {
            case RUNC:
                return host.runc().isPresent() ? use(RuntimeChoice.RUNC)
                        : none("--runtime runc was asked for but runc is not on PATH; " + INSTALL_HINT);
            case CRUN:
                return host.crun().isPresent() ? use(RuntimeChoice.CRUN)
                        : none("--runtime crun was asked for but crun is not on PATH; install crun");
            case BUILTIN:
                return host.builtinTools() ? use(RuntimeChoice.BUILTIN)
                        : none("--runtime builtin needs unshare, setpriv, env and sh on PATH; install util-linux");
            default:
                if (host.runc().isPresent()) {
                    return use(RuntimeChoice.RUNC);
                }
                if (host.crun().isPresent()) {
                    return use(RuntimeChoice.CRUN);
                }
                if (host.builtinTools()) {
                    return use(RuntimeChoice.BUILTIN);
                }
                return none("no sandbox runtime found: neither runc nor crun is on PATH and util-linux's unshare"
                        + " and setpriv are missing; " + INSTALL_HINT);
        }
    }

    private static Decision use(RuntimeChoice runtime) {
        return new Decision(Optional.of(runtime), "");
    }

    private static Decision none(String reason) {
        return new Decision(Optional.empty(), reason);
    }

    /** Observes this host. */
    public Host observe() {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        boolean namespaces = List.of("mnt", "pid", "uts", "ipc", "net").stream()
                .allMatch(n -> Files.exists(Path.of("/proc/self/ns/" + n)));
        boolean builtin = List.of("unshare", "setpriv", "env", "sh").stream().allMatch(t -> tools.find(t).isPresent());
        boolean rootless = linux && UserNamespaces.inUserNamespace();
        return new Host(linux, linux && isRoot(), namespaces, tools.find("runc"), tools.find("crun"), builtin,
                rootless);
    }

    /** Creates the sandbox for {@code choice} on this host. */
    public Sandbox select(RuntimeChoice choice) throws SandboxException {
        Host host = observe();
        Decision decision = decide(choice, host);
        RuntimeChoice runtime = decision.runtime().orElseThrow(() -> new SandboxUnavailableException(
                "cannot run RUN steps on this host: " + decision.reason()));
        boolean cgroupNs = Files.exists(Path.of("/proc/self/ns/cgroup"))
                && Files.exists(Path.of("/sys/fs/cgroup/cgroup.subtree_control"));
        OciSpecFactory.HostFacts facts = new OciSpecFactory.HostFacts(limits, cgroupNs, host.rootless());
        return switch (runtime) {
            case RUNC -> new OciRuntimeSandbox("runc", host.runc().orElseThrow(), stateRoot, tools, facts);
            case CRUN -> new OciRuntimeSandbox("crun", host.crun().orElseThrow(), stateRoot, tools, facts);
            default -> new UnshareSandbox(stateRoot.resolve("builtin"), tools, limits, host.rootless());
        };
    }

    /**
     * Effective uid 0 with {@code CAP_SYS_ADMIN} effective, from {@code /proc/self/status}: root on the host, or uid 0
     * of a user namespace this process owns (where mounts and namespaces are allowed too).
     */
    private static boolean isRoot() {
        try {
            boolean uid0 = false;
            boolean sysAdmin = false;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    uid0 = line.substring(4).trim().split("\\s+")[1].equals("0");
                } else if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    sysAdmin = (caps & (1L << CAP_SYS_ADMIN)) != 0;
                }
            }
            return uid0 && sysAdmin;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
