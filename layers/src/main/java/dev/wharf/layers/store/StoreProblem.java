package dev.wharf.layers.store;

import java.util.Objects;

/**
 * One problem a store check found, and whether the check repaired it: what kind of thing is wrong, which object (a
 * digest, a file, a cache key, a process) and what is wrong with it, in words a user can act on.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param kind what sort of problem it is
 * @param subject the object concerned: a digest, a path, a key, a process id
 * @param detail what is wrong and, when it stays unrepaired, what to do
 * @param repaired whether the check fixed it
 */
public record StoreProblem(Kind kind, String subject, String detail, boolean repaired) {
    /** Validates. */
    public StoreProblem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(detail, "detail");
    }

    /** Returns the same problem marked as repaired. */
    public StoreProblem asRepaired() {
        return new StoreProblem(kind, subject, detail, true);
    }

    /** The kinds of problems, in the order a report lists them. */
    public enum Kind {
        /** The store's {@code index.json} (the image names) does not parse: a torn write, a damaged disk. */
        DAMAGED_INDEX,
        /** A blob whose content does not hash to its name (torn, truncated or damaged from outside). */
        CORRUPT_BLOB,
        /** A manifest, config or layer that a tagged image (or a cache record) needs and the store lacks. */
        MISSING_BLOB,
        /** A manifest or index that cannot be read or parsed. */
        UNREADABLE_MANIFEST,
        /** A build cache record whose layers are missing from the store. */
        DANGLING_CACHE_RECORD,
        /** A file a killed writer left in a staging directory. */
        STRAY_TEMP_FILE,
        /** A snapshot a killed build prepared and never committed or removed. */
        STALE_SNAPSHOT,
        /**
         * A snapshot no build can use: its record cannot be read, or it stands on a snapshot whose record is gone.
         */
        DAMAGED_SNAPSHOT,
        /** A sandbox state directory of a run whose process is gone. */
        STALE_SANDBOX_STATE,
        /** A cgroup of a sandbox run whose wharf process is gone (killed with SIGKILL). */
        STALE_CGROUP,
        /** A mount under the store root that no live build owns. */
        STALE_MOUNT,
        /** A sandbox process of a build whose process is gone. */
        STALE_PROCESS
    }
}
