package dev.wharf.grammar.instructions;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code RUN --mount=…} after expansion and validation: BuildKit's {@code Mount}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param type      bind (default), cache, tmpfs, secret or ssh
 * @param from      {@code from=}: stage or image to mount from ("" when absent)
 * @param source    {@code source=}/{@code src=} ("" when absent)
 * @param target    {@code target=}/{@code dst=}/{@code destination=} ("" when absent)
 * @param readOnly  explicit {@code ro}/{@code rw}, else true except for cache and tmpfs mounts
 * @param sizeLimit {@code size=} of a tmpfs mount in bytes, 0 when absent
 * @param cacheId   {@code id=} ("" when absent)
 * @param sharing   {@code sharing=} of a cache mount, empty when absent
 * @param required  {@code required} (secret and ssh mounts)
 * @param env       {@code env=}: environment variable for a secret, empty when absent
 * @param mode      {@code mode=} (octal), empty when absent
 * @param uid       {@code uid=}, empty when absent
 * @param gid       {@code gid=}, empty when absent
 */
public record Mount(MountType type, String from, String source, String target, boolean readOnly, long sizeLimit,
                    String cacheId, Optional<SharingMode> sharing, boolean required, Optional<String> env,
                    OptionalLong mode, OptionalLong uid, OptionalLong gid) {
    public Mount {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(cacheId, "cacheId");
        Objects.requireNonNull(sharing, "sharing");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(gid, "gid");
    }

    /**
     * The text a record's generated {@code toString} gives, character for character ({@code Mount[type=CACHE, from=,
     * ...]}, each component through {@code String.valueOf}): step cache keys hold it (StepKeys), so it must never
     * change. Written out because the generated one is linked by {@code ObjectMethods} on its first call, which for
     * thirteen components spins about 30 method-handle classes that the class-data archive cannot keep: ~25 ms of a
     * fresh CLI's first RUN with a mount.
     */
    @Override
    public String toString() {
        return "Mount[type=" + type + ", from=" + from + ", source=" + source + ", target=" + target
                + ", readOnly=" + readOnly + ", sizeLimit=" + sizeLimit + ", cacheId=" + cacheId
                + ", sharing=" + sharing + ", required=" + required + ", env=" + env + ", mode=" + mode
                + ", uid=" + uid + ", gid=" + gid + "]";
    }
}
