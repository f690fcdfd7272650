package dev.wharf.builder.sandbox;

import java.util.List;

/**
 * The numeric identity a sandboxed process runs as: user id, primary group id and supplementary group ids, as in the
 * OCI runtime spec's {@code process.user}. Immutable and thread-safe.
 */
public record ProcessUser(long uid, long gid, List<Long> additionalGids) {
    /** The default user of a RUN step: root with no supplementary groups. */
    public static final ProcessUser ROOT = new ProcessUser(0, 0, List.of());

    public ProcessUser {
        if (uid < 0 || uid > 0xFFFFFFFFL || gid < 0 || gid > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("ids must be unsigned 32-bit: " + uid + ":" + gid);
        }
        additionalGids = List.copyOf(additionalGids);
    }

    /**
     * The supplementary groups the process gets: {@link #additionalGids()} with the primary gid in front unless it is
     * already there, as BuildKit's {@code ensureAdditionalGids} (executor/oci/user.go, after containerd's
     * {@code WithUIDGID}) does, so that {@code id} in a RUN step prints {@code groups=GID} as under BuildKit.
     */
    public List<Long> groupsWithPrimary() {
        if (additionalGids.contains(gid)) {
            return additionalGids;
        }
        List<Long> groups = new java.util.ArrayList<>(additionalGids.size() + 1);
        groups.add(gid);
        groups.addAll(additionalGids);
        return List.copyOf(groups);
    }

    /** True for uid 0. */
    public boolean isRoot() {
        return uid == 0;
    }
}
