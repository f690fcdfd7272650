package dev.wharf.cache;

import dev.wharf.layers.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The path arithmetic of a {@link FileCacheStore} directory. Pure computation, no I/O (like jib-core's
 * {@code CacheStorageFiles}).
 *
 * <pre>
 * root/records/&lt;key hex&gt;.json               one record per key, replaced atomically
 * root/identities/&lt;sha256 of identity&gt;/&lt;key hex&gt;  empty markers: the keys saved for one step identity
 * root/configs/&lt;sha256 hex&gt;               the image configs records name, by the digest of their bytes
 * root/tmp/                                  records being written, invisible until renamed
 * root/cache.lock                            serializes saves and prunes across processes
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
final class CacheFiles {
    static final String RECORD_SUFFIX = ".json";

    private final Path root;

    CacheFiles(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    Path recordsDir() {
        return root.resolve("records");
    }

    Path identitiesDir() {
        return root.resolve("identities");
    }

    Path configsDir() {
        return root.resolve("configs");
    }

    Path tmpDir() {
        return root.resolve("tmp");
    }

    Path lockFile() {
        return root.resolve("cache.lock");
    }

    Path record(CacheKey key) {
        return recordsDir().resolve(key.hex() + RECORD_SUFFIX);
    }

    /** The marker directory of one identity: hashed, so any selector gives a short, safe file name. */
    Path identityDir(StepIdentity identity) {
        return identitiesDir().resolve(Digest.sha256Of(identity.selector().getBytes(StandardCharsets.UTF_8)).hex());
    }

    Path identityMarker(StepIdentity identity, CacheKey key) {
        return identityDir(identity).resolve(key.hex());
    }

    /** Returns the key a record file or identity marker is named after, or empty for a foreign file name. */
    static Optional<CacheKey> keyOf(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(RECORD_SUFFIX)) {
            name = name.substring(0, name.length() - RECORD_SUFFIX.length());
        }
        try {
            return Optional.of(CacheKey.of(Digest.sha256(name)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
