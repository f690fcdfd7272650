package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How an unprivileged user runs wharf rootless: the whole engine runs as uid 0 of a user namespace that maps uid 0 to
 * the user and uids 1..N to the user's first subordinate range of {@code /etc/subuid} (gids likewise from
 * {@code /etc/subgid}), set up by util-linux {@code unshare} through the setuid {@code newuidmap}/{@code newgidmap},
 * as rootless Podman and Buildah do ({@code buildah unshare}). Without ranges (or without newuidmap) the namespace
 * maps only uid 0 to the user: a RUN may then not chown to any other id.
 *
 * <p>Inside that namespace, layer unpacking keeps the images' owners, overlayfs mounts with {@code userxattr}, and a
 * file chowned to 1000 in a RUN is uid 1000 in the layer (on the host it belongs to the matching subordinate id).
 * The JVM cannot enter a user namespace itself (the kernel refuses {@code unshare(CLONE_NEWUSER)} to a
 * multithreaded process), so a command-line tool starts itself again through {@link #command}. Stateless.
 */
public final class UserNamespaces {
    /** Set in the environment of a process started by {@link #command}, so that it never starts itself again. */
    public static final String MARKER = "WHARF_USERNS";

    /** A subordinate id range: {@code count} ids from {@code start}. Immutable. */
    public record Range(long start, long count) {
    }

    private UserNamespaces() {
    }

    /**
     * True when this process is not root and should enter a user namespace: on Linux, with a non-zero effective
     * uid, and not already started by {@link #command}.
     */
    public static boolean needed() {
        if (System.getenv(MARKER) != null
                || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return false;
        }
        return effectiveUid().map(uid -> uid != 0).orElse(false);
    }

    /**
     * The command that runs {@code argv} as uid 0 of a new user namespace: {@code unshare --map-root-user} plus the
     * subordinate ranges of {@code user} (name) or {@code uid} from {@code subuid} and {@code subgid} when both have
     * one and {@code newuidmap}/{@code newgidmap} exist.
     *
     * @throws SandboxUnavailableException when util-linux's {@code unshare} is missing
     */
    public static List<String> command(List<String> argv, Executables tools, String user, long uid, Path subuid,
                                       Path subgid) throws SandboxUnavailableException {
        Path unshare = tools.find("unshare").orElseThrow(() -> new SandboxUnavailableException(
                "running wharf as a non-root user needs util-linux's `unshare` to enter a user namespace;"
                        + " install util-linux (and uidmap for subordinate id ranges), or run wharf as root"));
        List<String> command = new ArrayList<>(List.of(unshare.toString(), "--map-root-user"));
        Optional<Range> users = range(subuid, user, uid);
        Optional<Range> groups = range(subgid, user, uid);
        if (users.isPresent() && groups.isPresent() && tools.find("newuidmap").isPresent()
                && tools.find("newgidmap").isPresent()) {
            // util-linux's order is outer,inner,count: uids 1..count are the subordinate range.
            command.add("--map-users=" + users.get().start() + ",1," + users.get().count());
            command.add("--map-groups=" + groups.get().start() + ",1," + groups.get().count());
        }
        command.add("--");
        command.addAll(argv);
        return List.copyOf(command);
    }

    /** {@link #command} for this process's user and the system's {@code /etc/subuid} and {@code /etc/subgid}. */
    public static List<String> command(List<String> argv) throws SandboxUnavailableException {
        return command(argv, Executables.fromEnvironment(), System.getProperty("user.name", ""),
                effectiveUid().orElse(-1L), Path.of("/etc/subuid"), Path.of("/etc/subgid"));
    }

    /**
     * The first range of {@code user} (by name or numeric uid) in a {@code subuid}/{@code subgid} file
     * ({@code name:start:count} lines); empty when the file is missing or has none.
     */
    public static Optional<Range> range(Path file, String user, long uid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String line : lines) {
            String[] f = line.trim().split(":");
            if (f.length != 3 || !(f[0].equals(user) || f[0].equals(Long.toString(uid)))) {
                continue;
            }
            try {
                long start = Long.parseLong(f[1]);
                long count = Long.parseLong(f[2]);
                if (start > 0 && count > 0) {
                    return Optional.of(new Range(start, count));
                }
            } catch (NumberFormatException e) {
                // A malformed line is skipped, as shadow-utils does.
            }
        }
        return Optional.empty();
    }

    /** This process's effective uid, from {@code /proc/self/status}. */
    public static Optional<Long> effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Optional.of(Long.parseLong(line.substring(4).trim().split("\\s+")[1]));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * True when this process runs in a user namespace other than the initial one (its uid map is not the identity
     * of all 2^32 ids).
     */
    public static boolean inUserNamespace() {
        try {
            String map = Files.readString(Path.of("/proc/self/uid_map")).trim();
            return !map.matches("0\\s+0\\s+4294967295");
        } catch (IOException e) {
            return false;
        }
    }
}
