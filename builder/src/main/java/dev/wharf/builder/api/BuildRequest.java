package dev.wharf.builder.api;

import dev.wharf.builder.sandbox.ResourceLimits;
import dev.wharf.builder.sandbox.Ulimit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * What to build: the Dockerfile (a path, or its text), the context directory, build args, target stage, tags and
 * cache options, the sandbox runtime and store root (overriding the engine's), {@code SOURCE_DATE_EPOCH}, and the
 * listener that receives progress.
 *
 * <p>Immutable and thread-safe; make one with {@link #builder(Path)}.
 *
 * @param context         where the build context comes from (a directory, a tar stream or archive, a URL, git)
 * @param dockerfile      the Dockerfile's path: for a directory context a host path, else a path inside the
 *                        context; empty means {@code Dockerfile} in the context unless text is given
 * @param dockerfileText  the Dockerfile's text, used instead of reading a file
 * @param buildArgs       {@code --build-arg} values by name
 * @param target          the stage to build; empty for the last
 * @param tags            names to tag the image with ({@code name[:tag]})
 * @param noCache         no step uses the cache (results are still saved to it)
 * @param noCacheFilter   stages (by name) whose steps do not use the cache
 * @param runtime         {@code auto}, {@code runc}, {@code crun} or {@code builtin}; empty for the engine's
 * @param storeRoot       the store root for this build; empty for the engine's
 * @param sourceDateEpoch seconds since 1970 that timestamps are clamped to; also taken from the
 *                        {@code SOURCE_DATE_EPOCH} build arg
 * @param listener        receives the progress events
 * @param explainCache    report why each step that ran missed the cache
 * @param labels          labels added to the image's config ({@code --label})
 * @param annotations     {@code --annotation}: annotations of the image's manifest (or of its descriptor in an
 *                        {@code oci} or {@code docker} output's index), as buildx passes them to BuildKit's exporters;
 *                        index ones fail the build, as BuildKit's for a single-platform image
 * @param platform        {@code --platform}; wharf builds for the host's platform only, so another one is an
 *                        error
 * @param outputs         where the result goes; empty means tagged into the local store
 * @param secrets         {@code --secret id=ID,src=FILE}: files RUN steps may mount with
 *                        {@code --mount=type=secret,id=ID}; never part of a layer or a cache key
 * @param network         the network of RUN steps without {@code --network}: {@code default} (the default: the
 *                        host's network, as BuildKit gives RUN a network unless told otherwise), {@code host}
 *                        (the same) or {@code none} (only loopback)
 * @param pull            {@code --pull}: resolve every base image's tag in its registry again, even when the local
 *                        store has it (without it, a stored tag is used with no network call)
 * @param cacheFrom       {@code --cache-from}: remote step caches to import, in order of preference
 * @param cacheTo         {@code --cache-to}: where to export the step cache after a successful build
 * @param ssh             {@code --ssh ID=SOCKET} or {@code --ssh ID=KEY[,KEY]}: per id, one ssh-agent socket or the
 *                        private key files a build-long ssh-agent serves, which RUN steps may use with
 *                        {@code --mount=type=ssh,id=ID} ({@code default} when no id); never in a layer or cache key
 * @param seccomp         filter RUN steps' system calls with Docker's default seccomp profile (the default);
 *                        false is {@code --security-opt seccomp=unconfined}
 * @param resources       cgroup limits of every RUN step: {@code --memory}, {@code --cpus}, {@code --pids-limit}
 * @param namedContexts   {@code --build-context NAME=VALUE} as written, by name: what {@code FROM NAME},
 *                        {@code COPY --from=NAME} and {@code RUN --mount=from=NAME} read instead of a stage or image;
 *                        VALUE is a directory, {@code docker-image://REF},
 *                        {@code oci-layout://DIR[:TAG][@DIGEST]}, a git URL or an http(s) URL, parsed by the
 *                        engine as buildx does
 * @param namedContextBase the absolute directory relative directories of {@code namedContexts} (and of
 *                        {@code oci-layout://}) are resolved against: the CLI's working directory (the default),
 *                        the Maven project's base directory
 * @param extraHosts      {@code --add-host HOST:IP}: lines added to RUN steps' {@code /etc/hosts}; part of the RUN
 *                        steps' cache keys, as in BuildKit's exec op
 * @param ulimits         {@code --ulimit NAME=SOFT[:HARD]}: resource limits of RUN steps (capped at the host's hard
 *                        limits); part of the RUN steps' cache keys, as in BuildKit's exec op
 * @param shmSize         {@code --shm-size}: the size of RUN steps' {@code /dev/shm} in bytes (64 MiB when empty);
 *                        part of the RUN steps' cache keys when set, as in BuildKit's exec op
 */
public record BuildRequest(BuildContext context, Optional<Path> dockerfile, Optional<String> dockerfileText,
                           Map<String, String> buildArgs, Optional<String> target, List<String> tags,
                           boolean noCache, Set<String> noCacheFilter, Optional<String> runtime,
                           Optional<Path> storeRoot, OptionalLong sourceDateEpoch, ProgressListener listener,
                           boolean explainCache, Map<String, String> labels,
                           List<ImageAnnotation> annotations, Optional<String> platform,
                           List<BuildOutput> outputs, Map<String, Path> secrets, String network,
                           boolean pull, List<CacheSource> cacheFrom, List<CacheDestination> cacheTo,
                           Map<String, List<Path>> ssh, boolean seccomp, ResourceLimits resources,
                           Map<String, String> namedContexts, Path namedContextBase, List<ExtraHost> extraHosts,
                           List<Ulimit> ulimits, OptionalLong shmSize) {

    public BuildRequest {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(dockerfile, "dockerfile");
        Objects.requireNonNull(dockerfileText, "dockerfileText");
        buildArgs = Collections.unmodifiableMap(new TreeMap<>(buildArgs));
        Objects.requireNonNull(target, "target");
        tags = List.copyOf(tags);
        noCacheFilter = Collections.unmodifiableSet(new LinkedHashSet<>(noCacheFilter));
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(storeRoot, "storeRoot");
        Objects.requireNonNull(sourceDateEpoch, "sourceDateEpoch");
        Objects.requireNonNull(listener, "listener");
        labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        annotations = List.copyOf(annotations);
        Objects.requireNonNull(platform, "platform");
        outputs = List.copyOf(outputs);
        secrets = Collections.unmodifiableMap(new TreeMap<>(secrets));
        TreeMap<String, List<Path>> sshCopy = new TreeMap<>();
        ssh.forEach((id, paths) -> {
            if (paths.isEmpty()) {
                throw new IllegalArgumentException("--ssh " + id + " names no socket or key file");
            }
            sshCopy.put(id, List.copyOf(paths));
        });
        ssh = Collections.unmodifiableMap(sshCopy);
        namedContexts = Collections.unmodifiableMap(new TreeMap<>(namedContexts));
        if (!namedContextBase.isAbsolute()) {
            throw new IllegalArgumentException("the base directory of named contexts must be absolute, not "
                    + namedContextBase);
        }
        if (!network.equals("none") && !network.equals("host") && !network.equals("default")) {
            throw new IllegalArgumentException("network must be none, host or default, not " + network);
        }
        cacheFrom = List.copyOf(cacheFrom);
        cacheTo = List.copyOf(cacheTo);
        Objects.requireNonNull(resources, "resources");
        extraHosts = List.copyOf(extraHosts);
        ulimits = List.copyOf(ulimits);
        Objects.requireNonNull(shmSize, "shmSize");
        if (shmSize.isPresent() && shmSize.getAsLong() <= 0) {
            throw new IllegalArgumentException("--shm-size must be positive, not " + shmSize.getAsLong());
        }
    }

    /** A builder for a build of the context directory {@code contextDir}. */
    public static Builder builder(Path contextDir) {
        return new Builder(BuildContext.directory(contextDir));
    }

    /** A builder for a build of {@code context}. */
    public static Builder builder(BuildContext context) {
        return new Builder(context);
    }

    /**
     * The context directory of a {@link BuildContext.Directory} context.
     *
     * @throws IllegalStateException for the other kinds of context, which have no directory until the build
     *                               opens them
     */
    public Path contextDir() {
        if (context instanceof BuildContext.Directory dir) {
            return dir.path();
        }
        throw new IllegalStateException("the build context is not a local directory: " + context);
    }

    /** The Dockerfile's name for messages: its file name, or {@code Dockerfile}. */
    public String dockerfileName() {
        return dockerfile.map(p -> p.getFileName().toString()).orElse("Dockerfile");
    }

    /** A mutable builder of {@link BuildRequest}; not thread-safe. */
    public static final class Builder {
        private final BuildContext context;
        private Path dockerfile;
        private String dockerfileText;
        private final Map<String, String> buildArgs = new TreeMap<>();
        private String target;
        private final List<String> tags = new ArrayList<>();
        private boolean noCache;
        private final Set<String> noCacheFilter = new LinkedHashSet<>();
        private String runtime;
        private Path storeRoot;
        private Long sourceDateEpoch;
        private ProgressListener listener = ProgressListener.none();
        private boolean explainCache;
        private final Map<String, String> labels = new TreeMap<>();
        private String platform;
        private final List<BuildOutput> outputs = new ArrayList<>();
        private final Map<String, Path> secrets = new TreeMap<>();
        private String network = "default";
        private boolean pull;
        private final List<CacheSource> cacheFrom = new ArrayList<>();
        private final List<CacheDestination> cacheTo = new ArrayList<>();
        private final Map<String, List<Path>> ssh = new TreeMap<>();
        private boolean seccomp = true;
        private ResourceLimits resources = ResourceLimits.none();
        private final Map<String, String> namedContexts = new TreeMap<>();
        private final List<ImageAnnotation> annotations = new ArrayList<>();
        private Path namedContextBase;
        private final List<ExtraHost> extraHosts = new ArrayList<>();
        private final Map<String, Ulimit> ulimits = new TreeMap<>();
        private Long shmSize;

        private Builder(BuildContext context) {
            this.context = Objects.requireNonNull(context, "context");
        }

        public Builder dockerfile(Path value) {
            dockerfile = value;
            return this;
        }

        public Builder dockerfileText(String value) {
            dockerfileText = value;
            return this;
        }

        public Builder buildArg(String name, String value) {
            buildArgs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder buildArgs(Map<String, String> values) {
            buildArgs.putAll(values);
            return this;
        }

        public Builder target(String value) {
            target = value;
            return this;
        }

        public Builder tag(String value) {
            tags.add(Objects.requireNonNull(value, "tag"));
            return this;
        }

        public Builder noCache(boolean value) {
            noCache = value;
            return this;
        }

        public Builder noCacheFilter(String stage) {
            noCacheFilter.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        public Builder runtime(String value) {
            runtime = value;
            return this;
        }

        public Builder storeRoot(Path value) {
            storeRoot = value;
            return this;
        }

        public Builder sourceDateEpoch(long seconds) {
            sourceDateEpoch = seconds;
            return this;
        }

        public Builder listener(ProgressListener value) {
            listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        public Builder explainCache(boolean value) {
            explainCache = value;
            return this;
        }

        public Builder label(String name, String value) {
            labels.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder platform(String value) {
            platform = value;
            return this;
        }

        public Builder output(BuildOutput value) {
            outputs.add(Objects.requireNonNull(value, "output"));
            return this;
        }

        public Builder secret(String id, Path file) {
            secrets.put(Objects.requireNonNull(id, "id"), Objects.requireNonNull(file, "file"));
            return this;
        }

        /** Sets the cgroup limits of RUN steps ({@code --memory}, {@code --cpus}, {@code --pids-limit}). */
        public Builder resources(ResourceLimits value) {
            resources = Objects.requireNonNull(value, "resources");
            return this;
        }

        public Builder network(String value) {
            network = Objects.requireNonNull(value, "network");
            return this;
        }

        /** {@code --pull}: resolve base image tags in their registries again. */
        public Builder pull(boolean value) {
            pull = value;
            return this;
        }

        public Builder cacheFrom(CacheSource value) {
            // The same source given twice (--cache-from R --cache-from type=registry,ref=R) is imported once: its
            // BuildKit import is the same vertex, shown and loaded once (the peer prints one "importing cache
            // manifest from R").
            if (!cacheFrom.contains(Objects.requireNonNull(value, "cacheFrom"))) {
                cacheFrom.add(value);
            }
            return this;
        }

        public Builder cacheTo(CacheDestination value) {
            cacheTo.add(Objects.requireNonNull(value, "cacheTo"));
            return this;
        }

        /**
         * An ssh-agent socket, or one private key file, for {@code RUN --mount=type=ssh,id=ID} ({@code --ssh
         * ID=SOCKET}, {@code --ssh ID=KEY}).
         */
        public Builder ssh(String id, Path socketOrKey) {
            return ssh(id, List.of(Objects.requireNonNull(socketOrKey, "socketOrKey")));
        }

        /**
         * One ssh-agent socket, or private key files that a private ssh-agent serves for the build's length, for
         * {@code RUN --mount=type=ssh,id=ID} ({@code --ssh ID=PATH[,PATH]}, as docker takes it).
         */
        public Builder ssh(String id, List<Path> socketOrKeys) {
            ssh.put(Objects.requireNonNull(id, "id"), List.copyOf(socketOrKeys));
            return this;
        }

        /** Docker's default seccomp profile on (the default) or off ({@code --security-opt seccomp=unconfined}). */
        public Builder seccomp(boolean value) {
            seccomp = value;
            return this;
        }

        /** An {@code --annotation} of the image; a later one of the same type, platform and key replaces it. */
        public Builder annotation(ImageAnnotation value) {
            Objects.requireNonNull(value, "annotation");
            annotations.removeIf(a -> a.type().equals(value.type()) && a.platform().equals(value.platform())
                    && a.key().equals(value.key()));
            annotations.add(value);
            return this;
        }

        /**
         * A named context ({@code --build-context NAME=VALUE}); a later one of the same name replaces an earlier
         * one.
         */
        public Builder namedContext(String name, String value) {
            namedContexts.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The directory relative named contexts are resolved against (made absolute here); the working directory
         * when not set.
         */
        public Builder namedContextBase(Path value) {
            namedContextBase = Objects.requireNonNull(value, "namedContextBase").toAbsolutePath();
            return this;
        }

        /** An {@code /etc/hosts} line for RUN steps ({@code --add-host}). */
        public Builder extraHost(ExtraHost value) {
            extraHosts.add(Objects.requireNonNull(value, "extraHost"));
            return this;
        }

        /** A resource limit of RUN steps ({@code --ulimit}); a later one for the same resource replaces it. */
        public Builder ulimit(Ulimit value) {
            ulimits.put(Objects.requireNonNull(value, "ulimit").name(), value);
            return this;
        }

        /** The size of RUN steps' {@code /dev/shm} in bytes ({@code --shm-size}). */
        public Builder shmSize(long bytes) {
            shmSize = bytes;
            return this;
        }

        public BuildRequest build() {
            return new BuildRequest(context, Optional.ofNullable(dockerfile), Optional.ofNullable(dockerfileText),
                    buildArgs, Optional.ofNullable(target).filter(t -> !t.isEmpty()), tags, noCache, noCacheFilter,
                    Optional.ofNullable(runtime), Optional.ofNullable(storeRoot),
                    sourceDateEpoch == null ? OptionalLong.empty() : OptionalLong.of(sourceDateEpoch), listener,
                    explainCache, labels, annotations, Optional.ofNullable(platform).filter(p -> !p.isEmpty()),
                    outputs, secrets, network, pull, cacheFrom, cacheTo, ssh, seccomp, resources, namedContexts,
                    namedContextBase == null ? Path.of("").toAbsolutePath() : namedContextBase, extraHosts, List.copyOf(ulimits.values()),
                    shmSize == null ? OptionalLong.empty() : OptionalLong.of(shmSize));
        }
    }
}
