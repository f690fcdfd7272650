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
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
 */
abstract class LocalSnapshotter implements Snapshotter {
    /** File names are the hex of the key, and Linux allows 255 bytes per name. */
    private static final int MAX_KEY_BYTES = 120;
    private static final String NEW_PREFIX = "new-";
    /** How long a store may go without a full sweep when no marker asks for one. */
    private static final long SWEEP_INTERVAL_MILLIS = 24L * 60 * 60 * 1000;
    /** How many ids a process reserves in the store's id ceiling at a time (one write per block). */
    private static final long ID_BLOCK = 64;

    private final Path root;
    private final Path snapshots;
    private final MetadataStore metadata;
    private final StoreLock lock;
    private final StoreUsers users;
    private final StoreUsers.Registration user;
    /** Present while a sweep is owed: set before a sweep starts, removed once one found nothing left. */
    private final Path sweepNeeded;
    /** Its mtime is the time of the last full sweep. */
    private final Path sweptStamp;
    /**
     * The uncommitted snapshots this instance created and still owns alone: no other record shares their directory
     * (a commit takes its key out before writing the committed record), and none is a parent (only committed
     * snapshots are), so removing one needs no read of every record. Left non-empty at {@link #close}, they are what
     * the next sweep must find.
     */
    private final Set<String> ownUncommitted = ConcurrentHashMap.newKeySet();
    /**
     * The highest id any record had when a sweep read them all (zero without one), or this instance gave out; new
     * ids are also above every directory name, so a create need not read every record (see {@link #nextId}).
     */
    private final AtomicLong recordIdFloor = new AtomicLong();
    /** The id ceiling file; see {@link #nextId}. */
    private final Path idCeiling;
    /** Whether the floor includes the id ceiling read from the store; guarded by the store lock. */
    private boolean ceilingRead;
    /** The highest id this instance reserved in the id ceiling; guarded by the store lock. */
    private long reservedThrough;
    /**
     * The names of the snapshots the construction's sweep found not committed, for the first
     * {@link #walkUncommitted} (the store's stale-state check, right after opening): every record is then read once
     * per process instead of twice (about 8% of a fresh cached build's CPU with a few dozen snapshots). Empty when
     * the construction did not sweep: no process died or left an uncommitted snapshot since a sweep that found none.
     * Null once used.
     */
    private final AtomicReference<List<String>> uncommittedAtSweep = new AtomicReference<>();
    /**
     * Committed records by name, from the sweep and every later read or commit. A committed record never changes
     * (a commit writes a new name, and only {@link #remove} deletes one: in wharf only for snapshots that were
     * never committed, apart from this process's own removals, which drop the entry), so each is read from disk once
     * per process: a step resolves its parent chain several times (ensure, prepare, commit), and a RUN fifty layers
     * deep read some 150 records per step, ~2,600 file reads and JSON decodes in a 50-step build.
     */
    private final Map<String, SnapshotRecord> committed = new ConcurrentHashMap<>();

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
        this.metadata = new MetadataStore(this.root.resolve("metadata"), staging, this::damagedRecord);
        this.lock = new StoreLock(this.root.resolve("lock"));
        this.sweepNeeded = this.root.resolve("sweep-needed");
        this.idCeiling = this.root.resolve("id-ceiling");
        this.sweptStamp = this.root.resolve("swept");
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
                if (census.deadFound() || Files.exists(sweepNeeded) || sweepDue()) {
                    markSweepNeeded();
                    if (sweepOrphans(census.othersAlive())) {
                        Files.deleteIfExists(sweepNeeded);
                    }
                    Files.write(sweptStamp, new byte[0]);
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

    private boolean sweepDue() throws IOException {
        try {
            long last = Files.getLastModifiedTime(sweptStamp).toMillis();
            long now = System.currentTimeMillis();
            return now - last > SWEEP_INTERVAL_MILLIS || last > now + SWEEP_INTERVAL_MILLIS;
        } catch (NoSuchFileException e) {
            return true;
        }
    }

    private void markSweepNeeded() throws IOException {
        if (!Files.exists(sweepNeeded)) {
            Files.write(sweepNeeded, new byte[0]);
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
            if (record(key).isPresent()) {
                throw new SnapshotException("snapshot " + key + " already exists; remove it or choose another key");
            }
            List<Path> parentFs = parent == null ? List.of() : parentChain(committed(parent));
            long id = nextId();
            Path fresh = snapshots.resolve(NEW_PREFIX + id);
            Path dir = snapshots.resolve(Long.toString(id));
            try {
                Files.createDirectories(fresh.resolve("fs"));
                populate(fresh, kind, parentFs);
                Files.move(fresh, dir);
                // Only a snapshot that outlives its step needs its directory entry on disk (see MetadataStore.put).
            } catch (IOException e) {
                deleteQuietly(fresh);
                throw new SnapshotException("cannot create snapshot " + key + " in " + snapshots + ": "
                        + e.getMessage(), e);
            }
            try {
                metadata.put(new SnapshotRecord(key, kind, parent, id));
            } catch (SnapshotException e) {
                flagQuietly(); // its directory is in place without a record
                throw e;
            }
            ownUncommitted.add(key);
            recordIdFloor.accumulateAndGet(id, Math::max);
            return mountsOf(dir, kind, parentFs);
        }
    }

    @Override
    public final List<Mount> mounts(String key) throws SnapshotException {
        SnapshotRecord record = existing(key);
        if (record.kind() == SnapshotKind.COMMITTED) {
            throw new SnapshotException("snapshot " + key + " is committed and has no mounts; use view(key, \""
                    + key + "\") to read it");
        }
        return mountsOf(dirOf(record), record.kind(), record.parent() == null ? List.of()
                : parentChain(committed(record.parent())));
    }

    @Override
    public final void commit(String name, String key) throws SnapshotException {
        checkKey(name);
        try (StoreLock.Held held = acquire()) {
            SnapshotRecord active = existing(key);
            if (active.kind() != SnapshotKind.ACTIVE) {
                throw new SnapshotException("snapshot " + key + " is " + active.kind().name().toLowerCase()
                        + ", only an active snapshot can be committed");
            }
            if (record(name).isPresent()) {
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
                metadata.put(done);
                committed.put(name, done);
                metadata.delete(key, false);
            } catch (SnapshotException e) {
                if (owned) {
                    // Two records may now share the directory: the sweep sorts out what is left.
                    flagQuietly();
                }
                throw e;
            }
        }
    }

    @Override
    public final void remove(String keyOrName) throws SnapshotException {
        try (StoreLock.Held held = acquire()) {
            SnapshotRecord record = existing(keyOrName);
            if (ownUncommitted.contains(keyOrName)) {
                // Ours alone and no parent (see ownUncommitted): no other record needs reading.
                metadata.delete(keyOrName, false);
                ownUncommitted.remove(keyOrName);
                deleteQuietly(dirOf(record));
                return;
            }
            // One read of every record (a store of many snapshots makes it the dearest part of a step's removal);
            // nothing changes them meanwhile, as every writer holds the store lock.
            List<SnapshotRecord> all = metadata.all().records();
            for (SnapshotRecord other : all) {
                if (keyOrName.equals(other.parent())) {
                    throw new SnapshotException("snapshot " + keyOrName + " is the parent of " + other.name()
                            + "; remove that first");
                }
            }
            metadata.delete(keyOrName, record.kind() == SnapshotKind.COMMITTED);
            committed.remove(keyOrName);
            boolean shared = all.stream().anyMatch(r -> r.id() == record.id() && !r.name().equals(keyOrName));
            if (!shared) {
                deleteQuietly(dirOf(record));
            }
        }
    }

    @Override
    public final Optional<SnapshotInfo> stat(String keyOrName) throws SnapshotException {
        return record(keyOrName).map(SnapshotRecord::info);
    }

    @Override
    public final void walk(Consumer<SnapshotInfo> visitor) throws SnapshotException {
        for (SnapshotRecord record : metadata.all().records()) {
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
            Optional<SnapshotRecord> now = record(name);
            if (now.isPresent() && now.get().kind() != SnapshotKind.COMMITTED) {
                visitor.accept(now.get().info());
            }
        }
    }

    @Override
    public final Usage usage(String keyOrName) throws SnapshotException {
        Path fs = dirOf(existing(keyOrName)).resolve("fs");
        try {
            return DiskUsage.of(fs);
        } catch (IOException e) {
            throw new SnapshotException("cannot measure snapshot " + keyOrName + " at " + fs + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public final List<Change> changes(String key) throws SnapshotException {
        SnapshotRecord record = existing(key);
        if (record.kind() != SnapshotKind.ACTIVE) {
            throw new SnapshotException("snapshot " + key + " is not active; changes are computed before commit");
        }
        return changesOf(dirOf(record), record.parent() == null ? List.of()
                : parentChain(committed(record.parent())));
    }

    /**
     * Releases this instance's user marker; snapshots it created and neither committed nor removed are left for the
     * next process's sweep, which the flag file asks for. Every operation takes and releases the store lock itself.
     */
    @Override
    public void close() {
        if (!ownUncommitted.isEmpty()) {
            try (StoreLock.Held held = acquire()) {
                markSweepNeeded();
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
        MetadataStore.Listing listing = metadata.all();
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
                committed.put(record.name(), record);
            }
        }
        recordIdFloor.accumulateAndGet(maxId, Math::max);
        raiseCeiling(maxId);
        uncommittedAtSweep.set(List.copyOf(uncommitted));
        boolean clean = uncommitted.isEmpty() && !deferred;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshots)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!live.contains(name) && (!deferred || name.startsWith(NEW_PREFIX))) {
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
            MetadataStore.Listing listing = metadata.all();
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
                    metadata.delete(record.name(), record.kind() == SnapshotKind.COMMITTED);
                    committed.remove(record.name());
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
                markSweepNeeded();
                if (sweepOrphans(false)) {
                    Files.deleteIfExists(sweepNeeded);
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
            current = current.parent() == null ? null : committed(current.parent());
        }
        return List.copyOf(chain);
    }

    /** The record of {@code name}: a committed one from memory once read, others from disk. */
    private Optional<SnapshotRecord> record(String name) throws SnapshotException {
        SnapshotRecord known = committed.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<SnapshotRecord> read = metadata.get(name);
        read.filter(r -> r.kind() == SnapshotKind.COMMITTED).ifPresent(r -> committed.put(name, r));
        return read;
    }

    private SnapshotRecord committed(String name) throws SnapshotException {
        SnapshotRecord record = record(name).orElseThrow(() -> new SnapshotException(
                "parent snapshot " + name + " does not exist; unpack its layer first"));
        if (record.kind() != SnapshotKind.COMMITTED) {
            throw new SnapshotException("parent snapshot " + name + " is " + record.kind().name().toLowerCase()
                    + "; only committed snapshots can be parents");
        }
        return record;
    }

    private SnapshotRecord existing(String keyOrName) throws SnapshotException {
        return record(keyOrName).orElseThrow(() -> new SnapshotException(
                "snapshot " + keyOrName + " does not exist in " + root));
    }

    private Path dirOf(SnapshotRecord record) {
        return snapshots.resolve(Long.toString(record.id()));
    }

    /**
     * A fresh id: one above every record this process has seen and every id it gave out, unless a snapshot
     * directory (or a half-built {@code new-*} one) of that number exists, made by another process since; then one
     * above every directory name. Records need not be read again (in a fresh JVM that was a tenth of a small build's
     * time once a store holds a few hundred snapshots): a record's directory exists for as long as the record does,
     * since a create renames the directory into place before writing the record and a remove deletes the record
     * before the directory, in every process, so a free directory name is a free id. A record whose directory was
     * deleted by hand is covered by the floor too: every id given out is at most the store's {@code id-ceiling}
     * (raised {@value #ID_BLOCK} ids at a time, and by a sweep to the highest record's), which the floor starts
     * from. Two lookups instead of a listing of every snapshot directory per step (a 50-step build listed its 300
     * directories fifty times). Called under the store lock, which every creator in every process holds.
     */
    private long nextId() throws SnapshotException {
        if (!ceilingRead) {
            recordIdFloor.accumulateAndGet(readCeiling(), Math::max);
            ceilingRead = true;
        }
        long id = freeIdAboveFloor();
        if (id > reservedThrough) {
            reservedThrough = raiseCeiling(id + ID_BLOCK);
        }
        return id;
    }

    private long freeIdAboveFloor() throws SnapshotException {
        long candidate = recordIdFloor.get() + 1;
        if (!Files.exists(snapshots.resolve(Long.toString(candidate)), LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(snapshots.resolve(NEW_PREFIX + candidate), LinkOption.NOFOLLOW_LINKS)) {
            return candidate;
        }
        long max = recordIdFloor.get();
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

    /** The store's id ceiling, 0 when it has none (or an unreadable one: the directories then guard alone). */
    private long readCeiling() {
        try {
            return Long.parseLong(Files.readString(idCeiling).strip());
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
            AtomicFiles.replaceUnsynced(idCeiling, Long.toString(at).getBytes(StandardCharsets.US_ASCII),
                    root.resolve("tmp"));
        } catch (IOException e) {
            throw new SnapshotException("cannot write " + idCeiling + ": " + e.getMessage(), e);
        }
        return at;
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
            flagQuietly();
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
        flagQuietly();
    }

    /** Asks for a sweep; called under the store lock (or outside it, where a lost flag costs a day's delay). */
    private void flagQuietly() {
        try {
            markSweepNeeded();
        } catch (IOException ignored) {
            // The daily sweep is the last resort.
        }
    }
}
