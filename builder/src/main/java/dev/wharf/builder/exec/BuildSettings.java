package dev.wharf.builder.exec;

import dev.wharf.builder.api.ProgressListener;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.OptionalLong;

/**
 * The per-build settings the executor and its step runner share: the Dockerfile text, the listener, the timestamp
 * clamp, the time recorded in the image, the time the build started, the sandbox runtime, the build context, a scratch directory removed
 * after the build, the platform and how many stages may run at once, secrets, ssh-agent sockets, the default network,
 * whether RUN steps are seccomp-filtered, their cgroup limits, the base images (stored or pulled), the step caches
 * imported with {@code --cache-from}, the named contexts, the build's own {@code /etc/hosts} for RUN steps when it
 * has {@code --add-host} lines or a hostname of its own, their {@code --ulimit}s and {@code /dev/shm} size, and what of
 * those goes into RUN steps' cache keys, and the RUN steps' hostname (the build arg {@code BUILDKIT_SANDBOX_HOSTNAME},
 * else BuildKit's {@code buildkitsandbox}) and the namespace of their cache mounts' ids (the build arg
 * {@code BUILDKIT_CACHE_MOUNT_NS}, empty by default). Immutable.
 */
record BuildSettings(DockerfileText source, ProgressListener listener, OptionalLong sourceDateEpoch,
                     OffsetDateTime started, String runtime, CopySources context, Path scratch,
                     dev.wharf.builder.plan.Platform platform, int parallelism, boolean explainCache,
                     java.util.Map<String, Path> secrets, String network, java.util.Map<String, Path> ssh,
                     boolean seccomp, dev.wharf.builder.sandbox.ResourceLimits resources, RegistryImages images,
                     CacheImports imports, NamedContexts namedContexts, java.util.Optional<Path> extraHostsFile,
                     java.util.List<dev.wharf.builder.sandbox.Ulimit> ulimits,
                     java.util.SortedMap<String, java.util.List<String>> runKeyExtras, long shmSizeBytes,
                     String hostname, String cacheMountNamespace) {

    /** The image's creation time: SOURCE_DATE_EPOCH when set, else when the build started. */
    OffsetDateTime created() {
        return sourceDateEpoch.isPresent() ? OffsetDateTime.ofInstant(
                java.time.Instant.ofEpochSecond(sourceDateEpoch.getAsLong()), java.time.ZoneOffset.UTC) : started;
    }

    /**
     * The creation time in nanoseconds since 1970, for files and directories the build creates (WORKDIR, COPY's
     * parents, heredocs): when the build started, also with SOURCE_DATE_EPOCH, as BuildKit 0.13's file ops date
     * them when they run. The epoch is no input of a step (KeyExclusions.SOURCE_DATE_EPOCH): a time it gave here
     * would stay in the cached layer, and a build with a later epoch would not give a fresh build's image. The
     * export clamps this time to the epoch like any other.
     */
    long createdNanos() {
        return started.toInstant().getEpochSecond() * 1_000_000_000L + started.toInstant().getNano();
    }
}
