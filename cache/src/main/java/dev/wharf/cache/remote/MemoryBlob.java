package dev.wharf.cache.remote;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobNotFoundException;
import dev.wharf.layers.blob.BlobProvider;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;

/**
 * One small blob held in memory (a cache config), served as a {@link BlobProvider} for an upload.
 *
 * <p>Immutable and thread-safe; the array is not copied, so callers must not modify it.
 */
final class MemoryBlob implements BlobProvider {
    private final byte[] content;
    private final Digest digest;

    MemoryBlob(byte[] content) {
        this.content = content;
        this.digest = Digest.sha256Of(content);
    }

    @Override
    public InputStream open(Digest wanted) throws LayerException {
        if (!digest.equals(wanted)) {
            throw new BlobNotFoundException(wanted, "memory");
        }
        return new ByteArrayInputStream(content);
    }

    @Override
    public Optional<BlobInfo> info(Digest wanted) {
        return digest.equals(wanted) ? Optional.of(new BlobInfo(digest, content.length, Instant.EPOCH))
                : Optional.empty();
    }

    @Override
    public boolean exists(Digest wanted) {
        return digest.equals(wanted);
    }
}
