package dev.wharf.builder.plan;

import dev.wharf.context.glob.GoPaths;
import dev.wharf.grammar.instructions.Mount;

/**
 * The id a {@code RUN --mount=type=secret} or {@code type=ssh} asks the client for: one rule for the build outline
 * (which secrets and ssh keys a build needs) and for the executor (which ones it mounts).
 *
 * <p>Stateless and thread-safe.
 */
public final class MountIds {
    private MountIds() {
    }

    /**
     * A secret mount's id, as dockerfile2llb/convert_secrets.go {@code dispatchSecret}: {@code source=} names the
     * secret as {@code id=} does (MountParser refuses both), else the target's base name ({@code target=/run/x/tok}
     * asks for {@code tok}). MountParser refuses a secret mount without source, id and target.
     */
    public static String secret(Mount mount) {
        String id = mount.source().isEmpty() ? mount.cacheId() : mount.source();
        return id.isEmpty() ? GoPaths.base(mount.target()) : id;
    }

    /** An ssh mount's id, as dockerfile2llb/convert_ssh.go {@code dispatchSSH}: {@code id=}, else {@code default}. */
    public static String ssh(Mount mount) {
        return mount.cacheId().isEmpty() ? "default" : mount.cacheId();
    }
}
