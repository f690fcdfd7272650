package dev.wharf.builder.doctor;

import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.snapshot.CopySnapshotter;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.builder.snapshot.SnapshotException;
import dev.wharf.builder.snapshot.Snapshotter;
import dev.wharf.builder.snapshot.UnusableSnapshot;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheStoreOptions;
import dev.wharf.cache.FileCacheStore;
import dev.wharf.layers.blob.BlobStoreOptions;
import dev.wharf.layers.layout.StoreLock;
import dev.wharf.layers.layout.StoreUsers;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.store.StoreProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a wharf store and repairs what is safe to repair ({@code wharf doctor [--repair]}): every blob's digest,
 * every tagged image's references, the build cache's references to layers, staged files of interrupted writes, and
 * what killed builds left behind ({@link StaleState}), and the image index ({@code index.json}) itself. Repair
 * replaces a damaged index with the entries it still soundly holds (keeping the damaged file aside), deletes corrupt
 * blobs, stray staged files and dangling cache records, and removes stale snapshots, sandbox state, mounts and processes; a missing blob of a tagged image
 * cannot be repaired and stays in the report with what to do.
 *
 * <p>{@link #register} is also what every engine runs when it opens a store: it registers the engine as a user of
 * the store and, when no other user is alive, removes what dead ones left, all under the store lock so that a build
 * starting meanwhile waits and is never disturbed. Stateless and thread-safe.
 */
public final class StoreDoctor {
    private StoreDoctor() {
    }

    /** The registration of a store user and what was found (and cleaned) when it registered. */
    public record Registered(StoreUsers.Registration registration, boolean othersAlive, List<StoreProblem> found) {
        /** Copies. */
        public Registered {
            found = List.copyOf(found);
        }
    }

    /** The users' markers of a store root. */
    public static StoreUsers users(Path root) {
        return new StoreUsers(root.resolve("state").resolve("users"));
    }

    /**
     * Registers a user of the store and checks the stale state: staged files, cache temp files, and (when no
     * other user is alive) active snapshots and mounts; with {@code repair}, removes it. Runs under the store lock.
     *
     * @throws EngineException if the store cannot be locked or read
     */
    public static Registered register(LocalStore store, FileCacheStore cache, List<Snapshotter> snapshotters,
                                      boolean repair, Clock clock) throws EngineException {
        return register(store, cache, snapshotters, repair, clock, false);
    }

    /**
     * As {@link #register(LocalStore, FileCacheStore, List, boolean, Clock)}; {@code everyProcess} looks for stale
     * sandbox processes among all processes even when no wharf process is known to have died (what {@code wharf
     * doctor} does). Without it, an engine opening the store looks for them only when a user marker or a sandbox
     * run's state says a wharf process was killed: reading every process's command line cost each command about
     * 10 ms per 100 processes, to find what only a killed process can leave.
     */
    static Registered register(LocalStore store, FileCacheStore cache, List<Snapshotter> snapshotters,
                               boolean repair, Clock clock, boolean everyProcess) throws EngineException {
        Path root = store.root();
        StoreUsers users = users(root);
        try (StoreLock.Held held = store.lock().acquire()) {
            StoreUsers.Registration me = users.register();
            try {
                StoreUsers.Census census = users.census(me);
                boolean othersAlive = census.othersAlive();
                Instant now = clock.instant();
                List<StoreProblem> found = new ArrayList<>(new StaleState(root, snapshotters)
                        .check(repair, othersAlive, everyProcess || census.deadFound()));
                found.addAll(store.checker().checkStaged(repair, othersAlive
                        ? now.minus(BlobStoreOptions.DEFAULT_STALE_INGEST_AGE) : now));
                found.addAll(cache.checkTemp(repair, othersAlive
                        ? now.minus(FileCacheStore.ABANDONED_TEMP_AGE) : now));
                return new Registered(me, othersAlive, found);
            } catch (IOException | CacheException | RuntimeException e) {
                me.close();
                throw e;
            }
        } catch (CacheException | IOException e) {
            throw new EngineException("cannot check the wharf store at " + root + " for what interrupted builds "
                    + "left: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the store at {@code root} and, with {@code repair}, repairs what is safe.
     *
     * @throws EngineException if {@code root} is not a wharf store or cannot be read
     */
    public static DoctorReport examine(Path root, boolean repair) throws EngineException {
        Path normalized = root.toAbsolutePath().normalize();
        if (!Files.isRegularFile(normalized.resolve("oci-layout"))) {
            throw new EngineException(normalized + " is not a wharf store (it has no oci-layout file); "
                    + "check --root or WHARF_ROOT");
        }
        try {
            LocalStore store = LocalStore.open(normalized);
            FileCacheStore cache = FileCacheStore.open(normalized.resolve("cache"), CacheStoreOptions.defaults());
            List<Snapshotter> snapshotters = snapshotters(normalized);
            try {
                Registered registered = register(store, cache, snapshotters, repair, Clock.systemUTC(), true);
                try (StoreUsers.Registration me = registered.registration()) {
                    List<StoreProblem> problems = new ArrayList<>(store.checker().check(repair));
                    problems.addAll(cache.check(store.blobs(), repair));
                    problems.addAll(registered.found());
                    problems.addAll(unusableSnapshots(snapshotters, repair));
                    return new DoctorReport(normalized, problems, registered.othersAlive());
                }
            } finally {
                snapshotters.forEach(Snapshotter::close);
            }
        } catch (IOException | CacheException e) {
            throw new EngineException("cannot check the wharf store at " + normalized + ": " + e.getMessage(), e);
        }
    }

    /**
     * The snapshots no build can use (damaged records, snapshots on a missing parent), which only the doctor looks
     * for: finding them reads every record. Repair removes them only while no other process uses the snapshot
     * store, which the snapshotter tells itself.
     */
    private static List<StoreProblem> unusableSnapshots(List<Snapshotter> snapshotters, boolean repair)
            throws SnapshotException {
        List<StoreProblem> problems = new ArrayList<>();
        for (Snapshotter snapshotter : snapshotters) {
            for (UnusableSnapshot unusable : snapshotter.unusable(repair)) {
                problems.add(new StoreProblem(StoreProblem.Kind.DAMAGED_SNAPSHOT, unusable.subject(),
                        unusable.detail(), unusable.repaired()));
            }
        }
        return problems;
    }

    /** The snapshot stores an engine made under the root: overlay ({@code snapshots/}) and copy. */
    private static List<Snapshotter> snapshotters(Path root) throws SnapshotException {
        List<Snapshotter> found = new ArrayList<>();
        if (Files.isDirectory(root.resolve("snapshots"))) {
            found.add(new OverlaySnapshotter(root.resolve("snapshots")));
        }
        if (Files.isDirectory(root.resolve("snapshots-copy"))) {
            found.add(new CopySnapshotter(root.resolve("snapshots-copy")));
        }
        return found;
    }
}
