package dev.wharf.builder.sandbox;

import java.util.List;
import java.util.Objects;

/**
 * An extra mount inside the sandbox besides its root filesystem: a bind mount of a host path or a tmpfs. Nothing of
 * it reaches the snapshot's diff: bind mounts write to their source, tmpfs to memory, and a mount point the sandbox had
 * to create is removed again afterwards. Immutable and thread-safe.
 *
 * @param destination absolute path inside the sandbox
 * @param type        {@code bind} or {@code tmpfs}
 * @param source      host path for a bind mount, {@code tmpfs} for a tmpfs
 * @param readOnly    mounted read-only
 * @param options     extra mount options (for tmpfs e.g. {@code size=64m}, {@code mode=1777})
 */
public record SandboxMount(String destination, String type, String source, boolean readOnly, List<String> options) {
    public SandboxMount {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        if (!destination.startsWith("/")) {
            throw new IllegalArgumentException("mount destination must be absolute: " + destination);
        }
        if (!type.equals("bind") && !type.equals("tmpfs")) {
            throw new IllegalArgumentException("mount type must be bind or tmpfs: " + type);
        }
        options = List.copyOf(options);
    }

    /** A recursive bind mount of a host path. */
    public static SandboxMount bind(String source, String destination, boolean readOnly) {
        return new SandboxMount(destination, "bind", source, readOnly, List.of());
    }

    /** A tmpfs with the given options, e.g. {@code size=64m}. */
    public static SandboxMount tmpfs(String destination, List<String> options) {
        return new SandboxMount(destination, "tmpfs", "tmpfs", false, options);
    }
}
