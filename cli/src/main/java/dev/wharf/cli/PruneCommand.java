package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.flag;
import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.list;
import static dev.wharf.cli.CommandModel.option;
import static dev.wharf.cli.CommandModel.value;

import dev.wharf.builder.doctor.SourceCaches;
import dev.wharf.builder.exec.CacheMountPrune;
import dev.wharf.builder.doctor.StoreDoctor;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheKey;
import dev.wharf.cache.CacheStore;
import dev.wharf.cache.CacheStoreOptions;
import dev.wharf.cache.FileCacheStore;
import dev.wharf.cache.PruneOptions;
import dev.wharf.cache.PruneResult;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.go.GoDurations;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.GcOptions;
import dev.wharf.layers.store.GcReport;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code wharf prune}: frees the store's space. Always collects the blobs that no image name and no build cache
 * record references; {@code --all}, {@code --filter until=} and {@code --keep-storage} first remove build cache
 * records, as {@code docker builder prune} does, so their layers can go too, and by the same rules what the store
 * remembers of git and http sources ({@link SourceCaches}) and the contents of cache mounts no running step holds
 * ({@link CacheMountPrune}).
 */
final class PruneCommand extends StoreCommand {
    boolean all;
    List<String> filters = List.of();
    String keepStorage;
    String gracePeriod;
    boolean force;
    /** Whether {@code --filter type=exec.cachemount} limits the prune to cache mounts (and the blobs). */
    boolean mountsOnly;

    /** BuildKit's record type of cache mount contents ({@code docker buildx du}, {@code --filter type=}). */
    static final String CACHE_MOUNT_TYPE = "exec.cachemount";

    /** A new {@code prune} command and its model. */
    static CommandSpec model() {
        PruneCommand command = new PruneCommand();
        CommandSpec spec = StoreCommand.model(command, "prune",
                lines("Remove unused data from the local store.",
                        "Deletes the blobs (layers, configs, manifests) that no image name and no build cache record "
                                + "uses, e.g. those of images removed with wharf rmi. With --all, --filter or "
                                + "--keep-storage, build cache records are removed first, so the layers only they "
                                + "used are deleted too, and by the same rules the git checkouts, git checksums and "
                                + "HTTP ETags the store remembers of remote sources and the contents of RUN "
                                + "--mount=type=cache mounts that no running build uses (the next build starts them "
                                + "empty).",
                        "Blobs written within the grace period are kept: a build in another process may not have "
                                + "named its image yet."),
                lines("0:pruned",
                        "1:the store or the build cache could not be read or changed",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf rmi hello && wharf prune",
                "  wharf prune --filter until=24h",
                "  wharf prune --filter type=exec.cachemount",
                "  wharf prune --keep-storage 10gb",
                "  wharf prune --all --grace-period 0s");
        spec.addOption(flag("all", "-a", "--all")
                .description("Remove every build cache record and every cache mount not in use.")
                .build());
        spec.addOption(list("FILTER", "--filter").initialValue(List.of())
                .description("until=DURATION: remove the build cache records and cache mounts not used for DURATION "
                        + "(Go syntax: 24h, 90m); type=exec.cachemount: remove cache mounts only (every one not in "
                        + "use, unless until= or --keep-storage limit it).")
                .build());
        spec.addOption(option("SIZE", "--keep-storage")
                .description("Remove least recently used build cache records, then remembered sources, then cache "
                        + "mounts, until the rest together use at most SIZE (e.g. 10gb; binary units).")
                .build());
        spec.addOption(option("DURATION", "--grace-period").defaultValue("1h")
                .description("Keep unused blobs written less than DURATION ago (default: ${DEFAULT-VALUE}).")
                .build());
        spec.addOption(flag("force", "-f", "--force")
                .description("Accepted for docker compatibility; wharf never prompts.")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        all = value(spec, "--all");
        filters = value(spec, "--filter");
        keepStorage = value(spec, "--keep-storage");
        gracePeriod = value(spec, "--grace-period");
        force = value(spec, "--force");
    }

    @Override
    int execute() throws LayerException, CacheException, CommandException {
        Duration grace = duration("--grace-period", gracePeriod);
        Optional<PruneOptions> cacheOptions = cacheOptions();
        PrintWriter out = out();
        Path root = store.resolve();
        if (!store.given() && !Files.isDirectory(root)) {
            // The default store before anything was built: nothing to reclaim, as docker prunes an empty daemon
            // (a CI clean-up step on a fresh runner), and no empty store left behind.
            out.println("Total reclaimed space: 0B");
            return ExitCodes.OK;
        }
        // A mistyped --root used to leave an empty store behind (blobs/, cache/, index.json ...).
        LocalStore local = openExistingStore();
        CacheStore cache = FileCacheStore.open(root.resolve("cache"), CacheStoreOptions.defaults());
        Optional<PruneOptions> sourceOptions = cacheOptions;
        if (cacheOptions.isPresent() && !mountsOnly) {
            PruneResult pruned = cache.prune(cacheOptions.get());
            sourceOptions = Optional.of(sourceBudget(cacheOptions.get(), pruned));
            if (!pruned.removed().isEmpty()) {
                out.println("Deleted build cache objects:");
                for (CacheKey key : pruned.removed()) {
                    out.println(key);
                }
                out.println();
            }
        }
        // Blobs committed since the longest-running wharf process on this store began are kept whatever the grace
        // period says: they may be a running build's, not yet named by an image or cache record (with
        // --grace-period 0s, a build running meanwhile lost its new layers and failed to tag its image). BuildKit
        // protects them with leases; a build's user marker (state/users) dates its start.
        Optional<Instant> buildsSince;
        try {
            buildsSince = StoreDoctor.users(root).oldestAliveSince();
        } catch (IOException e) {
            throw new LayerException("cannot read the users of the store in " + root.resolve("state/users") + ": "
                    + e.getMessage(), e);
        }
        long sourcesFreed = 0;
        if (sourceOptions.isPresent()) {
            // The git checksums, ETags and git context checkouts go by the cache records' rules: they are what
            // BuildKit keeps as cache records of its git and http sources.
            SourceCaches.Pruned sources = new SourceCaches.Pruned(0, 0, 0);
            try {
                if (!mountsOnly) {
                    sources = SourceCaches.prune(root, sourceOptions.get(), Instant.now(),
                            buildsSince.map(t -> t.minusSeconds(1)));
                }
            } catch (IOException e) {
                throw new LayerException("cannot prune the remembered sources in " + root + ": " + e.getMessage(), e);
            }
            sourcesFreed = sources.bytes();
            // And so do the contents of RUN cache mounts, BuildKit's exec.cachemount records, with what the records
            // and sources left of --keep-storage; a cache a running step holds stays.
            CacheMountPrune.Pruned mounts;
            try {
                mounts = CacheMountPrune.prune(root, mountBudget(sourceOptions.get(), sources), Instant.now(),
                        buildsSince.map(t -> t.minusSeconds(1)));
            } catch (IOException e) {
                throw new LayerException("cannot prune the cache mounts in " + root.resolve(CacheMountPrune.DIRECTORY)
                        + ": " + e.getMessage(), e);
            }
            sourcesFreed += mounts.bytes();
            if (!mounts.removed().isEmpty()) {
                out.println("Deleted cache mounts:");
                mounts.removed().forEach(out::println);
                out.println();
            }
        }
        // What killed writers (a load or pull) staged in ingest/: a build's start cleans it, a load or pull does not
        // (for a day), so prune does, as BuildKit's prune drops abandoned ingests. A file written in the last ten
        // seconds, or since a live wharf process began, may be a live writer's.
        Instant stagedBefore = Instant.now().minusSeconds(10);
        if (buildsSince.isPresent() && buildsSince.get().minusSeconds(1).isBefore(stagedBefore)) {
            stagedBefore = buildsSince.get().minusSeconds(1);
        }
        local.checker().checkStaged(true, stagedBefore);
        GcOptions gc = GcOptions.defaults().withGracePeriod(grace).withExtraRoots(cache.gcRoots());
        if (buildsSince.isPresent()) {
            // An instant, not a duration: the collection may wait for the store lock, and the blobs a build claimed
            // at a cache hit (LocalStore.claim) right after it began must still count. A second of slack: file
            // times may be coarser than the clock.
            gc = gc.withKeepSince(buildsSince.get().minusSeconds(1));
        }
        GcReport report = local.garbageCollector().collect(gc);
        if (!report.removed().isEmpty()) {
            out.println("Deleted blobs:");
            for (Digest digest : report.removed()) {
                out.println(digest);
            }
            out.println();
        }
        out.println("Total reclaimed space: " + ByteSizes.human(report.bytesFreed() + sourcesFreed));
        for (Descriptor missing : report.missing()) {
            error("warning: " + missing.mediaType() + " " + missing.digest()
                    + " is used but missing; the images using it are broken: build or load them again");
        }
        return ExitCodes.OK;
    }

    /**
     * The source prune's options after the cache records' prune: {@code --keep-storage} is one budget for both, as
     * BuildKit's cache holds its git and http sources among its records, so the sources get what the remaining
     * records left of it (nothing when they alone exceed it, e.g. kept by {@code --filter until=}). The records
     * have the first claim rather than one least-recently-used order across both: the cache store plans its prune
     * under its own lock, without the sources, and its records are what a rebuild misses most (a lost source entry
     * costs one clone or download).
     */
    static PruneOptions sourceBudget(PruneOptions options, PruneResult pruned) {
        if (options.all() || options.keepStorage().isEmpty()) {
            return options;
        }
        return options.withKeepStorage(Math.max(0, options.keepStorage().getAsLong() - pruned.remainingBytes()));
    }

    /** The cache mounts' options: what the sources' prune left of its own {@code --keep-storage} budget. */
    static PruneOptions mountBudget(PruneOptions sourceOptions, SourceCaches.Pruned sources) {
        if (sourceOptions.all() || sourceOptions.keepStorage().isEmpty()) {
            return sourceOptions;
        }
        return sourceOptions.withKeepStorage(Math.max(0, sourceOptions.keepStorage().getAsLong()
                - sources.remaining()));
    }

    /**
     * The build cache pruning the flags ask for, or empty when they ask for none. {@code --filter
     * type=exec.cachemount} (BuildKit's record type of cache mounts) sets {@link #mountsOnly}: only cache mounts go,
     * and, as {@code docker builder prune} removes unused cache mounts without {@code --all}, every unused one
     * unless {@code until=} or {@code --keep-storage} says otherwise.
     */
    private Optional<PruneOptions> cacheOptions() {
        Optional<Duration> olderThan = Optional.empty();
        for (String filter : filters) {
            int eq = filter.indexOf('=');
            String key = eq < 0 ? filter : filter.substring(0, eq);
            if (eq >= 0 && key.equals("type") && filter.substring(eq + 1).equals(CACHE_MOUNT_TYPE)) {
                mountsOnly = true;
                continue;
            }
            if (eq < 0 || !key.equals("until")) {
                throw new ParameterException(spec.commandLine(), "wharf prune: unsupported filter '" + filter
                        + "'; the filters are until=DURATION (e.g. until=24h) and type=" + CACHE_MOUNT_TYPE);
            }
            olderThan = Optional.of(duration("--filter until", filter.substring(eq + 1)));
        }
        OptionalLong keep = OptionalLong.empty();
        if (keepStorage != null) {
            try {
                keep = OptionalLong.of(ByteSizes.parse(keepStorage));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "wharf prune: --keep-storage: " + e.getMessage());
            }
        }
        if (mountsOnly) {
            return Optional.of(new PruneOptions(all || olderThan.isEmpty() && keep.isEmpty(), olderThan, keep));
        }
        if (!all && olderThan.isEmpty() && keep.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PruneOptions(all, olderThan, keep));
    }

    private Duration duration(String flag, String text) {
        try {
            Duration d = GoDurations.parse(text);
            if (d.isNegative()) {
                throw new ParameterException(spec.commandLine(), "wharf prune: " + flag + " must not be negative: "
                        + text);
            }
            return d;
        } catch (DockerfileException e) {
            throw new ParameterException(spec.commandLine(), "wharf prune: " + flag + ": " + e.reason());
        }
    }
}
