package dev.wharf.builder.snapshot;

import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.posix.PathPresence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ids of a store's snapshots, which name their directories ({@code snapshots/<id>}, built as
 * {@code snapshots/new-<id>}). A fresh id is one above every record this process has seen and every id it gave out,
 * unless a snapshot directory (or a half-built {@code new-*} one) of that number exists, made by another process
 * since; then one above every directory name. Records need not be read again (in a fresh JVM that was a tenth of a
 * small build's time once a store holds a few hundred snapshots): a record's directory exists for as long as the
 * record does, since a create renames the directory into place before writing the record and a remove deletes the
 * record before the directory, in every process, so a free directory name is a free id. A record whose directory was
 * deleted by hand is covered by the floor too: every id given out is at most the store's {@code id-ceiling} (raised
 * {@value #ID_BLOCK} ids at a time, and by a sweep to the highest record's), which the floor starts from. Two
 * lookups instead of a listing of every snapshot directory per step (a 50-step build listed its 300 directories
 * fifty times).
 *
 * <p>{@link #next} and {@link #sawRecords} are called under the store lock, which every creator in every process
 * holds.
 */
final class SnapshotIds {
    /** The name prefix of a snapshot directory being built, until it is renamed to its id. */
    static final String NEW_PREFIX = "new-";
    /** How many ids a process reserves in the store's id ceiling at a time (one write per block). */
    private static final long ID_BLOCK = 64;

    private final Path snapshots;
    private final Path ceiling;
    private final Path staging;
    /**
     * The highest id any record had when a sweep read them all (zero without one), or this instance gave out; new
     * ids are also above every directory name, so a create need not read every record.
     */
    private final AtomicLong floor = new AtomicLong();
    /** Whether the floor includes the id ceiling read from the store; guarded by the store lock. */
    private boolean ceilingRead;
    /** The highest id this instance reserved in the id ceiling; guarded by the store lock. */
    private long reservedThrough;

    /**
     * The ids of the snapshot directories in {@code snapshots}, with the id ceiling file {@code ceiling} replaced
     * through the staging directory {@code staging}.
     */
    SnapshotIds(Path snapshots, Path ceiling, Path staging) {
        this.snapshots = snapshots;
        this.ceiling = ceiling;
        this.staging = staging;
    }

    /** A fresh id (see the class). */
    long next() throws SnapshotException {
        if (!ceilingRead) {
            floor.accumulateAndGet(readCeiling(), Math::max);
            ceilingRead = true;
        }
        long id = freeIdAboveFloor();
        if (id > reservedThrough) {
            reservedThrough = raiseCeiling(id + ID_BLOCK);
        }
        return id;
    }

    /** Records that the snapshot {@code id}, given out by {@link #next}, has its record now. */
    void gaveOut(long id) {
        floor.accumulateAndGet(id, Math::max);
    }

    /** Records that a sweep read every record, the highest id among them {@code maxId}. */
    void sawRecords(long maxId) throws SnapshotException {
        floor.accumulateAndGet(maxId, Math::max);
        raiseCeiling(maxId);
    }

    private long freeIdAboveFloor() throws SnapshotException {
        long candidate = floor.get() + 1;
        if (!exists(snapshots.resolve(Long.toString(candidate)))
                && !exists(snapshots.resolve(NEW_PREFIX + candidate))) {
            return candidate;
        }
        long max = floor.get();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshots)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                name = name.startsWith(NEW_PREFIX) ? name.substring(NEW_PREFIX.length()) : name;
                try {
                    max = Math.max(max, Long.parseLong(name));
                } catch (NumberFormatException ignored) {
                    // Not ours; the sweep removes it.
                }
            }
        } catch (IOException e) {
            throw new SnapshotException("cannot list " + snapshots + ": " + e.getMessage(), e);
        }
        return max + 1;
    }

    /**
     * Files.exists without following links; the candidate is almost always free, and java.nio answers a miss with
     * two exceptions (see PathPresence), so the binding answers first and java.nio only when that cannot tell.
     */
    private static boolean exists(Path path) {
        return PathPresence.mayExist(path) && Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** The store's id ceiling, 0 when it has none (or an unreadable one: the directories then guard alone). */
    private long readCeiling() {
        try {
            return Long.parseLong(Files.readString(ceiling).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Raises the id ceiling to {@code at} least, returning it; called under the store lock. Atomic against a killed
     * process (a reader sees the old or the new number), but not synced: the ceiling only guards against snapshot
     * directories deleted by hand (a directory synced by a commit guards its own id), and what a crash can cost is
     * covered without it. A killed process leaves a user marker with a free lock, so the next instance sweeps, and
     * the sweep raises the ceiling to the highest record's id again; after a power loss (a lost marker) the file may
     * read as an older number or be empty (read as 0), and then only a record whose directory was also deleted by
     * hand before the daily sweep could lend its id twice. An fsync per {@value #ID_BLOCK} ids is not worth that.
     */
    private long raiseCeiling(long at) throws SnapshotException {
        long current = readCeiling();
        if (current >= at) {
            return current;
        }
        try {
            AtomicFiles.replaceUnsynced(ceiling, Long.toString(at).getBytes(StandardCharsets.US_ASCII), staging);
        } catch (IOException e) {
            throw new SnapshotException("cannot write " + ceiling + ": " + e.getMessage(), e);
        }
        return at;
    }
}
