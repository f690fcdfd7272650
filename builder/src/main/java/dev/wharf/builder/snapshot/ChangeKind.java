package dev.wharf.builder.snapshot;

/** The kind of one filesystem change between a snapshot and its parent, as in containerd's {@code fs.ChangeKind}. */
public enum ChangeKind {
    /** The path did not exist in the parent. */
    ADD,
    /** The path existed in the parent and its content or metadata differs. */
    MODIFY,
    /** The path existed in the parent and was removed (an overlay whiteout). */
    DELETE
}
