package dev.wharf.builder.exec;

import dev.wharf.builder.api.ProgressListener;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.OptionalLong;

/**
 * The per-build settings the executor and its step runner share: the Dockerfile text, the listener, the timestamp
 * clamp, the time recorded in the image, the sandbox runtime, the build context, a scratch directory removed
 * after the build, the platform and how many stages may run at once, secrets, ssh-agent sockets, the default network,
 * whether RUN steps are seccomp-filtered, their cgroup limits, the base images (stored or pulled), the step caches
 * imported with {@code --cache-from}, the named contexts, the build's own {@code /etc/hosts} for RUN steps when it
 * has {@code --add-host} lines or a hostname of its own, their {@code --ulimit}s and {@code /dev/shm} size, and what of
 * those goes into RUN steps' cache keys, and the RUN steps' hostname (the build arg {@code BUILDKIT_SANDBOX_HOSTNAME},
 * else BuildKit's {@code buildkitsandbox}) and the namespace of their cache mounts' ids (the build arg
 * {@code BUILDKIT_CACHE_MOUNT_NS}, empty by default). Immutable.
 */
record BuildSettings(DockerfileText source, ProgressListener listener, OptionalLong sourceDateEpoch,
                     OffsetDateTime created, String runtime, CopySources context, Path scratch,
                     dev.wharf.builder.plan.Platform platform, int parallelism, boolean explainCache,
                     java.util.Map<String, Path> secrets, String network, java.util.Map<String, Path> ssh,
                     boolean seccomp, dev.wharf.builder.sandbox.ResourceLimits resources, RegistryImages images,
                     CacheImports imports, NamedContexts namedContexts, java.util.Optional<Path> extraHostsFile,
                     java.util.List<dev.wharf.builder.sandbox.Ulimit> ulimits,
                     java.util.SortedMap<String, java.util.List<String>> runKeyExtras, long shmSizeBytes,
                     String hostname, String cacheMountNamespace) {

    /** The creation time in nanoseconds since 1970, for files the build creates. */
    long createdNanos() {
        return created.toInstant().getEpochSecond() * 1_000_000_000L + created.toInstant().getNano();
    }
}
