package dev.wharf.builder.snapshot;

import java.io.IOException;

/**
 * The checked exception of the snapshot package: a snapshot operation failed in a way the user can act on (an unknown
 * key, a parent that is not committed, a full disk). Messages name the snapshot and the directory. Immutable once
 * thrown.
 */
public class SnapshotException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a user-facing message. */
    public SnapshotException(String message) {
        super(message);
    }

    /** Creates an exception with a user-facing message and the underlying cause. */
    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
