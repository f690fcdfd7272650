package dev.wharf.builder.snapshot;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A store of layered filesystem snapshots, following containerd's model ({@code core/snapshots/snapshotter.go}).
 *
 * <p>{@link #prepare} makes an <em>active</em> snapshot under a {@code key} on top of a committed {@code parent};
 * {@link #view} makes a read-only one; {@link #commit} turns an active key into a committed {@code name} (for a layer,
 * its ChainID) and forgets the key. Only committed snapshots can be parents. {@link #mounts} describes how to mount a
 * snapshot and never mounts anything itself: the sandbox performs the mounts inside its own mount namespace.
 *
 * <p>Implementations are thread-safe and safe against other processes using the same root; a crash leaves only state
 * that the next start sweeps.
 */
public interface Snapshotter extends AutoCloseable {
    /**
     * Creates an active (writable) snapshot.
     *
     * @param key    a new key, unique among all snapshots
     * @param parent the committed parent's name, or {@code null} for an empty root
     * @return the mounts that make up the snapshot's root filesystem
     */
    List<Mount> prepare(String key, String parent) throws SnapshotException;

    /** Creates a read-only snapshot of {@code parent} (may be {@code null}); returns its mounts. */
    List<Mount> view(String key, String parent) throws SnapshotException;

    /** The mounts of an existing active or view snapshot. */
    List<Mount> mounts(String key) throws SnapshotException;

    /** Turns the active snapshot {@code key} into the committed snapshot {@code name}; the key is gone afterwards. */
    void commit(String name, String key) throws SnapshotException;

    /** Removes a snapshot; a committed snapshot that is still a parent cannot be removed. */
    void remove(String keyOrName) throws SnapshotException;

    /** Information about one snapshot, or empty when there is none under that key or name. */
    Optional<SnapshotInfo> stat(String keyOrName) throws SnapshotException;

    /** Calls {@code visitor} once for every snapshot, in no particular order. */
    void walk(Consumer<SnapshotInfo> visitor) throws SnapshotException;

    /**
     * Calls {@code visitor} once for every snapshot that is not committed (active ones and views), in no particular
     * order: what a build that died left, when no other process uses the store. A snapshotter that has just read
     * every record may answer from that read, each snapshot reported read again (so its kind is current); one
     * created since by another process may then be missed, and is found by the next check.
     */
    default void walkUncommitted(Consumer<SnapshotInfo> visitor) throws SnapshotException {
        walk(info -> {
            if (info.kind() != SnapshotKind.COMMITTED) {
                visitor.accept(info);
            }
        });
    }

    /**
     * The snapshots no build can use: damaged record files, and snapshots standing on a parent whose record is
     * gone (see {@link UnusableSnapshot}). Reads every record: for {@code wharf doctor}, not for each build. With
     * {@code repair}, and only while no other process uses the snapshot store (one may have a snapshot mounted whose
     * record was damaged after it read it), removes them.
     */
    default java.util.List<UnusableSnapshot> unusable(boolean repair) throws SnapshotException {
        return java.util.List.of();
    }

    /** The disk usage of a snapshot's own data. */
    Usage usage(String keyOrName) throws SnapshotException;

    /**
     * The changes of an active snapshot against its parent, parents before children, each deleted directory reported
     * once (not its contents).
     */
    List<Change> changes(String key) throws SnapshotException;

    /** Releases resources held by this instance; snapshots on disk are kept. */
    @Override
    void close();
}
