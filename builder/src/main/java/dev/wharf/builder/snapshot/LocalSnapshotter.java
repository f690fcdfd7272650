package dev.wharf.builder.snapshot;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.FileTrees;
import dev.wharf.layers.layout.StoreLock;
import dev.wharf.layers.layout.StoreUsers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The shared part of the directory-based snapshotters: metadata, ids, locking, the orphan sweep, commit and remove,
 * laid out like containerd's overlay snapshotter ({@code plugins/snapshots/overlay/overlay.go}):
 * {@code <root>/snapshots/<id>/fs} holds the data, {@code <root>/metadata/} one record per snapshot.
 *
 * <p>A new snapshot directory is built as {@code snapshots/new-<id>} and renamed into place before its metadata is
 * written; removal deletes the metadata before the directory. A crash therefore leaves at most a directory without
 * metadata (and the records of snapshots it never committed), which a sweep at construction deletes (and reports,
 * {@link #walkUncommitted}). The sweep reads every record, so it runs only when something may have been left: every
 * instance holds a user marker in {@code <root>/users} ({@link StoreUsers}) for its lifetime, and a marker whose lock
 * is free is a process that was killed; an instance that ends with snapshots it neither committed nor removed, or
 * fails to delete a directory, leaves the flag file {@code <root>/sweep-needed}; and a store not swept for a day
 * (the mtime of {@code <root>/swept}) is swept anyway, for what a process without markers (an older wharf, a power
 * loss) left. Otherwise a fresh process read every record at each build: ~9% of a one-file-changed build's CPU with
 * 1,865 snapshots, growing with the store. Thread-safe, and safe against other processes through a file lock on
 * {@code <root>/lock}.
 *
 * <p>The records and their cache are {@link SnapshotRecords}', the ids {@link SnapshotIds}', and when to sweep
 * {@link SweepSchedule}'s; this class keeps the snapshots' life cycle, the sweep and the repair.
 */
abstract class LocalSnapshotter implements Snapshotter {
    /** File names are the hex of the key, and Linux allows 255 bytes per name. */
    private static final int MAX_KEY_BYTES = 120;

    private final Path root;
    private final Path snapshots;
    private final SnapshotRecords records;
    private final SnapshotIds ids;
    private final SweepSchedule sweeps;
    private final StoreLock lock;
    private final StoreUsers users;
    private final StoreUsers.Registration user;
    /**
     * The uncommitted snapshots this instance created and still owns alone: no other record shares their directory
     * (a commit takes its key out before writing the committed record), and none is a parent (only committed
     * snapshots are), so removing one needs no read of every record. Left non-empty at {@link #close}, they are what
     * the next sweep must find.
     */
    private final Set<String> ownUncommitted = ConcurrentHashMap.newKeySet();
    /**
     * The names of the snapshots the construction's sweep found not committed, for the first
     * {@link #walkUncommitted} (the store's stale-state check, right after opening): every record is then read once
     * per process instead of twice (about 8% of a fresh cached build's CPU with a few dozen snapshots). Empty when
     * the construction did not sweep: no process died or left an uncommitted snapshot since a sweep that found none.
     * Null once used.
     */
    private final AtomicReference<List<String>> uncommittedAtSweep = new AtomicReference<>();

    LocalSnapshotter(Path root) throws SnapshotException {
        this.root = root.toAbsolutePath().normalize();
        this.snapshots = this.root.resolve("snapshots");
        Path staging = this.root.resolve("tmp");
        try {
            Files.createDirectories(snapshots);
            Files.createDirectories(this.root.resolve("metadata"));
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new SnapshotException("cannot create the snapshot store at " + this.root + ": " + e.getMessage()
                    + "; check that the directory is writable", e);
        }
        this.sweeps = new SweepSchedule(this.root);
        this.records = new SnapshotRecords(new MetadataStore(this.root.resolve("metadata"), staging,
                this::damagedRecord), this.root);
        this.ids = new SnapshotIds(snapshots, this.root.resolve("id-ceiling"), staging);
        this.lock = new StoreLock(this.root.resolve("lock"));
        this.users = new StoreUsers(this.root.resolve("users"));
        this.user = open(users);
    }

    /** Registers this instance as a user of the store and sweeps when a marker, the flag or the stamp says to. */
    private StoreUsers.Registration open(StoreUsers users) throws SnapshotException {
        try (StoreLock.Held held = acquire()) {
            StoreUsers.Registration me;
            try {
                me = users.register();
            } catch (IOException e) {
                throw new SnapshotException("cannot register in " + root.resolve("users") + ": " + e.getMessage(), e);
            }
            try {
                // The census deletes the markers of the dead it finds, so the flag is written first: a sweep that
                // fails or is killed leaves it for the next process.
                StoreUsers.Census census = users.census(me);
                if (census.deadFound() || sweeps.due()) {
                    sweeps.ask();
                    if (sweepOrphans(census.othersAlive())) {
                        sweeps.answered();
                    }
                    sweeps.swept();
                } else {
                    uncommittedAtSweep.set(List.of());
                }
                return me;
            } catch (SnapshotException | RuntimeException e) {
                me.close();
                throw e;
            } catch (IOException e) {
                me.close();
                throw new SnapshotException("cannot check the snapshot store at " + root + " for what interrupted "
                        + "builds left: " + e.getMessage(), e);
            }
        }
    }

    /** Fills a new snapshot directory (already containing an empty {@code fs}) for the given kind and parents. */
    abstract void populate(Path dir, SnapshotKind kind, List<Path> parentFs) throws SnapshotException;

    /** The mounts of the snapshot in {@code dir}, with its parents' {@code fs} directories nearest first. */
    abstract List<Mount> mountsOf(Path dir, SnapshotKind kind, List<Path> parentFs);

    /** The changes of an active snapshot in {@code dir} against its parents. */
    abstract List<Change> changesOf(Path dir, List<Path> parentFs) throws SnapshotException;

    /** The store root. */
    public final Path root() {
        return root;
    }

    @Override
    public final List<Mount> prepare(String key, String parent) throws SnapshotException {
        return create(key, parent, SnapshotKind.ACTIVE);
    }

    @Override
    public final List<Mount> view(String key, String parent) throws SnapshotException {
        return create(key, parent, SnapshotKind.VIEW);
    }

    private List<Mount> create(String key, String parent, SnapshotKind kind) throws SnapshotException {
        checkKey(key);
        try (StoreLock.Held held = acquire()) {
            if (records.find(key).isPresent()) {
                throw new SnapshotException("snapshot " + key + " already exists; remove it or choose another key");
            }
            List<Path> parentFs = parent == null ? List.of() : parentChain(records.parent(parent));
            long id = ids.next();
            Path fresh = snapshots.resolve(SnapshotIds.NEW_PREFIX + id);
            Path dir = snapshots.resolve(Long.toString(id));
            try {
                // Not createDirectories: it first tries the deepest directory, whose parent is missing here, and
                // walks up on java.nio's exceptions (four per step). The snapshots directory exists (the
                // constructor made it), and ids.next() found the id free.
                Files.createDirectory(fresh);
                Files.createDirectory(fresh.resolve("fs"));
                populate(fresh, kind, parentFs);
                // A rename(2) alone: without ATOMIC_MOVE java.nio first lstats the target to refuse an existing one,
                // a miss answered with an exception every step. ids.next() found the name free under the lock.
                Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
                // Only a snapshot that outlives its step needs its directory entry on disk (see MetadataStore.put).
            } catch (IOException e) {
                deleteQuietly(fresh);
                throw new SnapshotException("cannot create snapshot " + key + " in " + snapshots + ": "
                        + e.getMessage(), e);
            }
            try {
                records.put(new SnapshotRecord(key, kind, parent, id));
            } catch (SnapshotException e) {
                sweeps.askQuietly(); // its directory is in place without a record
                throw e;
            }
            ownUncommitted.add(key);
            ids.gaveOut(id);
            return mountsOf(dir, kind, parentFs);
        }
    }

    @Override
    public final List<Mount> mounts(String key) throws SnapshotException {
        SnapshotRecord record = records.existing(key);
        if (record.kind() == SnapshotKind.COMMITTED) {
            throw new SnapshotException("snapshot " + key + " is committed and has no mounts; use view(key, \""
                    + key + "\") to read it");
        }
        return mountsOf(dirOf(record), record.kind(), record.parent() == null ? List.of()
                : parentChain(records.parent(record.parent())));
    }

    @Override
    public final void commit(String name, String key) throws SnapshotException {
        checkKey(name);
        try (StoreLock.Held held = acquire()) {
            SnapshotRecord active = records.existing(key);
            if (active.kind() != SnapshotKind.ACTIVE) {
                throw new SnapshotException("snapshot " + key + " is " + active.kind().name().toLowerCase()
                        + ", only an active snapshot can be committed");
            }
            if (records.find(name).isPresent()) {
                throw new SnapshotException("a snapshot named " + name + " already exists; remove it first");
            }
            // The committed record is written before the key's record goes away: a crash in between leaves two
            // records for one directory, and the next commit of the same key reports the name as existing.
            try {
                // The directory entry was not synced while the snapshot was active.
                AtomicFiles.fsyncDirectory(snapshots);
            } catch (IOException e) {
                throw new SnapshotException("cannot sync " + snapshots + ": " + e.getMessage(), e);
            }
            SnapshotRecord done = new SnapshotRecord(name, SnapshotKind.COMMITTED, active.parent(), active.id());
            boolean owned = ownUncommitted.remove(key);
            try {
                records.put(done);
                records.delete(active);
            } catch (SnapshotException e) {
                if (owned) {
                    // Two records may now share the directory: the sweep sorts out what is left.
                    sweeps.askQuietly();
                }
                throw e;
            }
        }
    }

    @Override
    public final void remove(String keyOrName) throws SnapshotException {
        try (StoreLock.Held held = acquire()) {
            SnapshotRecord record = records.existing(keyOrName);
            if (ownUncommitted.contains(keyOrName)) {
                // Ours alone and no parent (see ownUncommitted): no other record needs reading.
                records.delete(record);
                ownUncommitted.remove(keyOrName);
                deleteQuietly(dirOf(record));
                return;
            }
            // One read of every record (a store of many snapshots makes it the dearest part of a step's removal);
            // nothing changes them meanwhile, as every writer holds the store lock.
            List<SnapshotRecord> all = records.all().records();
            for (SnapshotRecord other : all) {
                if (keyOrName.equals(other.parent())) {
                    throw new SnapshotException("snapshot " + keyOrName + " is the parent of " + other.name()
                            + "; remove that first");
                }
            }
            records.delete(record);
            boolean shared = all.stream().anyMatch(r -> r.id() == record.id() && !r.name().equals(keyOrName));
            if (!shared) {
                deleteQuietly(dirOf(record));
            }
        }
    }

    @Override
    public final Optional<SnapshotInfo> stat(String keyOrName) throws SnapshotException {
        return records.find(keyOrName).map(SnapshotRecord::info);
    }

    @Override
    public final void walk(Consumer<SnapshotInfo> visitor) throws SnapshotException {
        for (SnapshotRecord record : records.all().records()) {
            visitor.accept(record.info());
        }
    }

    /**
     * The first call answers from the construction: when it swept, which read every record, the snapshots it found
     * not committed, each read again and reported if it still is not (a committed one never becomes active again, so
     * none is missed that the sweep saw; one created since, by another process, is left to the next check); when
     * it did not, none, since every process that left one was killed (its marker) or said so at close (the flag).
     * Later calls read every record.
     */
    @Override
    public final void walkUncommitted(Consumer<SnapshotInfo> visitor) throws SnapshotException {
        List<String> swept = uncommittedAtSweep.getAndSet(null);
        if (swept == null) {
            Snapshotter.super.walkUncommitted(visitor);
            return;
        }
        for (String name : swept) {
            Optional<SnapshotRecord> now = records.find(name);
            if (now.isPresent() && now.get().kind() != SnapshotKind.COMMITTED) {
                visitor.accept(now.get().info());
            }
        }
    }

    @Override
    public final Usage usage(String keyOrName) throws SnapshotException {
        Path fs = dirOf(records.existing(keyOrName)).resolve("fs");
        try {
            return DiskUsage.of(fs);
        } catch (IOException e) {
            throw new SnapshotException("cannot measure snapshot " + keyOrName + " at " + fs + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public final List<Change> changes(String key) throws SnapshotException {
        SnapshotRecord record = records.existing(key);
        if (record.kind() != SnapshotKind.ACTIVE) {
            throw new SnapshotException("snapshot " + key + " is not active; changes are computed before commit");
        }
        return changesOf(dirOf(record), record.parent() == null ? List.of()
                : parentChain(records.parent(record.parent())));
    }

    /**
     * Releases this instance's user marker; snapshots it created and neither committed nor removed are left for the
     * next process's sweep, which the flag file asks for. Every operation takes and releases the store lock itself.
     */
    @Override
    public void close() {
        if (!ownUncommitted.isEmpty()) {
            try (StoreLock.Held held = acquire()) {
                sweeps.ask();
            } catch (IOException e) {
                // Without the flag, the daily sweep finds them.
            }
        }
        user.close();
    }

    /**
     * Deletes snapshot directories that no metadata refers to, and half-built {@code new-*} directories; called
     * under the store lock. Whether every record it read was committed and nothing was left: then nothing is left
     * for a later check.
     *
     * <p>A damaged record's directory cannot be told from the others no record names (its id is in the unreadable
     * record), and unlike them it may be in use: another process may have read the record before it was damaged and
     * have the snapshot mounted as a running step's lower layer. So with {@code othersAlive} and a damaged record
     * found, the damaged files and the directories no record names stay (the flag stays set) for a sweep that runs
     * alone, or for {@code wharf doctor --repair}; half-built {@code new-*} directories are no one's (creators hold
     * the store lock until they are renamed) and still go. The snapshots standing on a damaged parent keep their
     * records and directories either way: see {@link BrokenChains}.
     */
    private boolean sweepOrphans(boolean othersAlive) throws SnapshotException {
        Set<String> live = new HashSet<>();
        List<String> uncommitted = new ArrayList<>();
        long maxId = 0;
        MetadataStore.Listing listing = records.all();
        boolean deferred = othersAlive && !listing.damaged().isEmpty();
        for (Path damaged : deferred ? List.<Path>of() : listing.damaged()) {
            // Read as no record; the directory it named is an orphan now, deleted below.
            try {
                Files.deleteIfExists(damaged);
            } catch (IOException e) {
                throw new SnapshotException("cannot delete the damaged snapshot record " + damaged + ": "
                        + e.getMessage() + "; delete it by hand", e);
            }
        }
        for (SnapshotRecord record : listing.records()) {
            live.add(Long.toString(record.id()));
            maxId = Math.max(maxId, record.id());
            if (record.kind() != SnapshotKind.COMMITTED) {
                uncommitted.add(record.name());
            } else {
                records.remember(record);
            }
        }
        ids.sawRecords(maxId);
        uncommittedAtSweep.set(List.copyOf(uncommitted));
        boolean clean = uncommitted.isEmpty() && !deferred;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshots)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!live.contains(name) && (!deferred || name.startsWith(SnapshotIds.NEW_PREFIX))) {
                    clean &= deleteQuietly(dir);
                }
            }
        } catch (IOException e) {
            throw new SnapshotException("cannot sweep orphaned snapshots in " + snapshots + ": "
                    + e.getMessage(), e);
        }
        return clean;
    }

    @Override
    public final List<UnusableSnapshot> unusable(boolean repair) throws SnapshotException {
        try (StoreLock.Held held = acquire()) {
            MetadataStore.Listing listing = records.all();
            boolean remove;
            try {
                remove = repair && !users.census(user).othersAlive();
            } catch (IOException e) {
                remove = false; // cannot tell who else uses the store: leave everything
            }
            List<UnusableSnapshot> found = new ArrayList<>();
            for (BrokenChains.Orphan orphan : BrokenChains.of(listing.records())) {
                SnapshotRecord record = orphan.record();
                UnusableSnapshot problem = new UnusableSnapshot(record.name(), record.kind().name()
                        .toLowerCase(java.util.Locale.ROOT) + " snapshot standing on the missing snapshot "
                        + orphan.missing() + " (its record was damaged or deleted): unusable until a build makes "
                        + "that one again", false);
                if (remove) {
                    // Deepest first, so no removed record is a remaining one's parent.
                    records.delete(record);
                    ownUncommitted.remove(record.name());
                    if (listing.records().stream().noneMatch(r -> r.id() == record.id()
                            && !r.name().equals(record.name())) && deleteQuietly(dirOf(record))) {
                        problem = problem.asRepaired();
                    }
                }
                found.add(problem);
            }
            if (remove) {
                // Now alone: the damaged records and the directories no record names go.
                sweeps.ask();
                if (sweepOrphans(false)) {
                    sweeps.answered();
                }
            }
            for (Path file : listing.damaged()) {
                found.add(new UnusableSnapshot(file.toString(), "damaged snapshot record: its snapshot counts as "
                        + "missing (a build that needs it makes it again); the record and its directory are deleted "
                        + "when no other wharf process uses the store", remove && !Files.exists(file)));
            }
            return List.copyOf(found);
        } catch (IOException e) {
            throw new SnapshotException("cannot repair the snapshot store at " + root + ": " + e.getMessage(), e);
        }
    }

    private List<Path> parentChain(SnapshotRecord parent) throws SnapshotException {
        List<Path> chain = new ArrayList<>();
        SnapshotRecord current = parent;
        Set<String> seen = new HashSet<>();
        while (current != null) {
            if (!seen.add(current.name())) {
                throw new SnapshotException("snapshot metadata in " + root + " has a parent cycle at "
                        + current.name());
            }
            chain.add(dirOf(current).resolve("fs"));
            current = current.parent() == null ? null : records.parent(current.parent());
        }
        return List.copyOf(chain);
    }

    private Path dirOf(SnapshotRecord record) {
        return snapshots.resolve(Long.toString(record.id()));
    }

    private StoreLock.Held acquire() throws SnapshotException {
        try {
            return lock.acquire();
        } catch (LayerException e) {
            throw new SnapshotException(e.getMessage(), e);
        }
    }

    private static void checkKey(String key) throws SnapshotException {
        if (key == null || key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new SnapshotException("invalid snapshot key \"" + key + "\": it must be 1 to " + MAX_KEY_BYTES
                    + " bytes long");
        }
    }

    /** Deletes a snapshot directory; one that cannot be is left for the next sweep, which the flag asks for. */
    private boolean deleteQuietly(Path dir) {
        try {
            FileTrees.delete(dir);
            return true;
        } catch (IOException e) {
            sweeps.askQuietly();
            return false;
        }
    }

    /**
     * A record file that is empty or cannot be decoded (see {@link MetadataStore}): the snapshot is treated as
     * missing, so the builder unpacks or builds it again, and the next sweep deletes the file and its directory.
     * Warned through the platform logger (library code prints nothing itself).
     */
    private void damagedRecord(MetadataStore.Damaged damaged) {
        System.getLogger(LocalSnapshotter.class.getName()).log(System.Logger.Level.WARNING,
                "ignoring the damaged snapshot record {0} ({1}); the snapshot will be made again",
                damaged.file(), damaged.reason());
        sweeps.askQuietly();
    }
}
