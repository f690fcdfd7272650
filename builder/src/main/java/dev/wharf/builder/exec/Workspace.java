package dev.wharf.builder.exec;

import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.doctor.StoreDoctor;
import dev.wharf.builder.sandbox.EtcFiles;
import dev.wharf.builder.sandbox.NetworkMode;
import dev.wharf.builder.sandbox.ResolvConf;
import dev.wharf.builder.sandbox.RuntimeChoice;
import dev.wharf.builder.sandbox.Sandbox;
import dev.wharf.builder.sandbox.SandboxException;
import dev.wharf.builder.sandbox.SandboxSelector;
import dev.wharf.builder.sandbox.SandboxSpec;
import dev.wharf.builder.sandbox.UserNamespaces;
import dev.wharf.builder.snapshot.CopySnapshotter;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.builder.snapshot.Snapshotter;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheStore;
import dev.wharf.cache.CacheStoreOptions;
import dev.wharf.cache.FileCacheStore;
import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ChecksumCache;
import dev.wharf.context.sources.HttpDownloader;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layer.LayerWriterOptions;
import dev.wharf.layers.layer.TreeScanner;
import dev.wharf.layers.layout.StoreUsers;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Everything a build needs under one store root: the local image store (OCI layout at the root), the snapshotter
 * ({@code snapshots/}), the build cache ({@code cache/}), the sandboxes' state ({@code state/}) and the
 * {@code /etc/hosts} and {@code /etc/resolv.conf} files RUN steps see.
 *
 * <p>Thread-safe: several builds may share one workspace.
 */
final class Workspace implements AutoCloseable {
    /** At most this many context file digests are kept (73 bytes each on disk). */
    private static final long CONTEXT_CHECKSUMS = 100_000;
    /** The mode of the hosts and resolv.conf files sandboxes mount (BuildKit's, executor/oci/resolvconf.go). */
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");
    private final LocalStore store;
    private final Snapshotter snapshotter;
    private final CacheStore cache;
    private final PosixFiles posix;
    private final ChecksumCache contextChecksums;
    private final Path stateDir;
    private final Path hostsFile;
    private final Path resolvConf;
    /** Whether {@link #writeEtcFiles} wrote them; guarded by this. */
    private boolean etcFilesWritten;
    private final Clock clock;
    private final StoreUsers.Registration user;
    private final Map<RuntimeChoice, Sandbox> sandboxes = new ConcurrentHashMap<>();
    private final HttpDownloader http = HttpDownloader.fromEnvironment(System.getenv());
    private final HttpCache httpCache;
    private final GitChecksums gitChecksums;
    private final GitChecksums imageChecksums;
    private final GitContextCheckouts gitContexts;
    private final int compressionThreads = Runtime.getRuntime().availableProcessors();
    /** Compresses gzip blocks of the layers pushed or exported from this workspace, one thread per core; daemons. */
    private final ExecutorService compressors = Executors.newFixedThreadPool(compressionThreads, r -> {
        Thread t = new Thread(r, "wharf-gzip");
        t.setDaemon(true);
        return t;
    });

    /** Creates and fills the files of COPY and ADD steps beside the thread resolving them ({@link ParallelCopies}). */
    private final ExecutorService copiers = Executors.newFixedThreadPool(compressionThreads, r -> {
        Thread t = new Thread(r, "wharf-copy");
        t.setDaemon(true);
        return t;
    });

    private Workspace(LocalStore store, Snapshotter snapshotter, CacheStore cache, PosixFiles posix,
                      ChecksumCache contextChecksums, Path stateDir, Path hostsFile, Path resolvConf, Clock clock,
                      StoreUsers.Registration user) {
        this.user = user;
        this.contextChecksums = contextChecksums;
        this.store = store;
        this.snapshotter = snapshotter;
        this.cache = cache;
        this.posix = posix;
        this.stateDir = stateDir;
        this.hostsFile = hostsFile;
        this.resolvConf = resolvConf;
        this.clock = clock;
        this.httpCache = new HttpCache(store.root().resolve("http-etags"), store.blobs());
        this.gitChecksums = new GitChecksums(store.root().resolve("git-checksums"));
        this.imageChecksums = new GitChecksums(store.root().resolve("image-checksums"));
        this.gitContexts = new GitContextCheckouts(store.root().resolve("git-contexts"));
    }

    /**
     * Opens (creating if needed) the workspace at {@code root}, registers it as a user of the store and, when no
     * other wharf process is alive, cleans what killed builds left ({@link StoreDoctor#register}).
     */
    static Workspace open(Path root, Clock clock) throws EngineException {
        try {
            LocalStore store = LocalStore.open(root);
            // The native binding loads on first use: a fully cached build never needs it, and loading it (jnr-ffi
            // generates classes) is a large part of a cached CLI build's start.
            PosixFiles posix = new LazyPosixFiles();
            // overlayfs needs root (real, or of a user namespace where the kernel allows it on this filesystem);
            // otherwise every snapshot is a copy (slower, same contract).
            Snapshotter snapshotter = posix.effectiveUid() == 0 && overlayAvailable()
                    && (!UserNamespaces.inUserNamespace() || OverlaySnapshotter.mountable(root.resolve("snapshots")))
                    ? new OverlaySnapshotter(root.resolve("snapshots"))
                    : new CopySnapshotter(root.resolve("snapshots-copy"));
            FileCacheStore cache = FileCacheStore.open(root.resolve("cache"), CacheStoreOptions.defaults()
                    .withClock(clock));
            Path state = Files.createDirectories(root.resolve("state"));
            Path hosts = state.resolve("hosts");
            Path resolv = state.resolve("resolv.conf");
            StoreUsers.Registration user = StoreDoctor.register(store, cache, List.of(snapshotter), true, clock)
                    .registration();
            return new Workspace(store, snapshotter, cache, posix, contextChecksums(root), state, hosts, resolv,
                    clock, user);
        } catch (CacheException | IOException e) {
            throw new EngineException("cannot open the wharf store at " + root + ": " + e.getMessage()
                    + "; check that the directory is writable or choose another with --root", e);
        }
    }

    /**
     * Writes one of the files every sandbox of the store bind-mounts as {@code /etc/hosts} or {@code
     * /etc/resolv.conf}, readable by all as BuildKit's are (a RUN under {@code USER nobody} reads them), by temp,
     * fsync and rename (a RUN of another build may have the old one mounted); unless it already holds {@code text}
     * with that mode: the host's files rarely change, and rewriting them cost every build, even a fully cached one,
     * four fsyncs.
     */
    private static void replaceIfChanged(Path file, String text, Path staging) throws IOException {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        try {
            if (Files.getPosixFilePermissions(file).equals(WORLD_READABLE)
                    && Arrays.equals(Files.readAllBytes(file), content)) {
                return;
            }
        } catch (NoSuchFileException e) {
            // First build on this store.
        }
        AtomicFiles.replace(file, content, staging, WORLD_READABLE);
    }

    /**
     * The digests of context files by their stat data, kept in {@code context-checksums/} of the store so that a
     * fresh process (the CLI) does not read unchanged files again; in memory when that directory is unusable.
     */
    private static ChecksumCache contextChecksums(Path root) {
        try {
            return ChecksumCache.persistent(root.resolve("context-checksums"), CONTEXT_CHECKSUMS);
        } catch (ContextException e) {
            return ChecksumCache.inMemory(CONTEXT_CHECKSUMS);
        }
    }

    private static boolean overlayAvailable() {
        try {
            return Files.readString(Path.of("/proc/filesystems")).contains("\toverlay");
        } catch (IOException e) {
            return false;
        }
    }

    LocalStore store() {
        return store;
    }

    Snapshotter snapshotter() {
        return snapshotter;
    }

    CacheStore cache() {
        return cache;
    }

    PosixFiles posix() {
        return posix;
    }

    /** The digests of build-context files, shared by the builds of this workspace. */
    ChecksumCache contextChecksums() {
        return contextChecksums;
    }

    /**
     * Writes the new context digests to the store. A failure is no build failure: the cache only saves reading
     * files again, and the next build recomputes what was not written.
     */
    void persistContextChecksums() {
        try {
            contextChecksums.persist();
        } catch (ContextException e) {
            // Kept in memory; the file stays as it was (written atomically).
        }
    }

    Clock clock() {
        return clock;
    }

    /** The downloader of remote contexts and {@code ADD <url>} (proxies from the environment). */
    HttpDownloader http() {
        return http;
    }

    /** The ETags and contents of earlier {@code ADD <url>} downloads. */
    HttpCache httpCache() {
        return httpCache;
    }

    /** The stored checkouts of git build contexts, by commit. */
    GitContextCheckouts gitContexts() {
        return gitContexts;
    }

    /**
     * The content checksums of earlier copies and bind mounts from images ({@code COPY --from=IMAGE}, {@code RUN
     * --mount=from=IMAGE}), by the chain ID of the image's layers: the same memo as {@link #gitChecksums}, keyed by
     * content that cannot change either.
     */
    GitChecksums imageChecksums() {
        return imageChecksums;
    }

    /** The content checksums of earlier {@code ADD <git url>} and named git context checkouts, by commit. */
    GitChecksums gitChecksums() {
        return gitChecksums;
    }

    /** The /etc/hosts of sandboxes. */
    Path hostsFile() throws SandboxException {
        writeEtcFiles();
        return hostsFile;
    }

    /** The resolv.conf of a sandbox without network. */
    Path resolvConf() throws SandboxException {
        writeEtcFiles();
        return resolvConf;
    }

    /** The resolv.conf of a sandbox with {@code network}: the host's nameservers kept for the host's network. */
    Path resolvConf(NetworkMode network) throws SandboxException {
        writeEtcFiles();
        return network == NetworkMode.HOST ? stateDir.resolve("resolv-host.conf") : resolvConf;
    }

    /**
     * Writes the sandboxes' {@code /etc/hosts} and BuildKit's two resolv.conf files (resolv.conf, resolv-host.conf)
     * from the host's, once per workspace, when the first sandbox needs them: opening the workspace wrote them (three
     * files, four fsyncs) for every command, also for pulls, pushes and builds that run nothing.
     */
    private synchronized void writeEtcFiles() throws SandboxException {
        if (etcFilesWritten) {
            return;
        }
        try {
            replaceIfChanged(hostsFile, EtcFiles.hosts(SandboxSpec.DEFAULT_HOSTNAME), stateDir);
            replaceIfChanged(resolvConf, ResolvConf.forHost(NetworkMode.NONE), stateDir);
            replaceIfChanged(stateDir.resolve("resolv-host.conf"), ResolvConf.forHost(NetworkMode.HOST), stateDir);
        } catch (IOException e) {
            throw new SandboxException("cannot write the sandboxes' /etc/hosts and /etc/resolv.conf in " + stateDir
                    + ": " + e.getMessage(), e);
        }
        etcFilesWritten = true;
    }

    /** The sandbox for {@code runtime} ({@code auto|runc|crun|builtin}), created on first use. */
    Sandbox sandbox(String runtime) throws SandboxException {
        RuntimeChoice choice = RuntimeChoice.parse(runtime);
        Sandbox existing = sandboxes.get(choice);
        if (existing != null) {
            return existing;
        }
        Sandbox created = SandboxSelector.onThisHost(stateDir.resolve("sandbox")).select(choice);
        Sandbox raced = sandboxes.putIfAbsent(choice, created);
        return raced == null ? created : raced;
    }

    /**
     * A layer writer into this store's blobs: layers are stored uncompressed (an OCI {@code tar} layer whose digest
     * is its diff ID), as {@code docker build} keeps them in its image store, and compressed only when they leave
     * the store ({@link #layerCompressor()}); timestamps clamped to {@code epoch} when present.
     */
    LayerWriter layerWriter(OptionalLong epoch) {
        LayerWriterOptions options = LayerWriterOptions.of(LayerCompression.none());
        if (epoch.isPresent()) {
            options = options.withSourceDateEpoch(epoch.getAsLong());
        }
        return new LayerWriter(store.blobs(), new TreeScanner(posix), options, compressors);
    }

    /**
     * The compressor of layers for pushes and exports: gzip in parallel blocks on every core, as pigz (the bytes do
     * not depend on the thread count), zstd with one worker per core.
     */
    LayerCompressor layerCompressor() {
        return new LayerCompressor(store, compressors, compressionThreads);
    }

    /** Where COPY and ADD create and fill files beside the resolving thread; null on a single core. */
    java.util.concurrent.ExecutorService copiers() {
        return compressionThreads > 1 ? copiers : null;
    }

    @Override
    public void close() {
        compressors.shutdown();
        copiers.shutdown();
        snapshotter.close();
        user.close();
    }
}
