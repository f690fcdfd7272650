package dev.wharf.layers.registry;

import dev.wharf.layers.Digest;
import dev.wharf.layers.blob.BlobWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * GET {@code /v2/<name>/blobs/<digest>}: streams a blob into a {@link BlobWriter}, starting at the writer's current
 * size with a {@code Range} request when resuming. A registry that ignores the range (200 instead of 206) is
 * handled by skipping the bytes already written.
 *
 * <p>Not thread-safe: one instance per attempt, used by the thread that owns the writer.
 */
final class BlobPuller implements RegistryEndpoint<Void> {
    private static final int BUFFER_SIZE = 64 * 1024;

    private final ImageReference repository;
    private final Digest digest;
    private final long size;
    private final BlobWriter writer;
    private final long offset;
    private final LongConsumer progress;

    /**
     * @param size the blob's size from its descriptor: a registry sending more is cut off, so a hostile or broken
     *     server cannot fill the disk
     * @param progress told the bytes written so far after every buffer
     */
    BlobPuller(ImageReference repository, Digest digest, long size, BlobWriter writer, LongConsumer progress) {
        this.repository = repository;
        this.digest = digest;
        this.size = size;
        this.writer = writer;
        this.offset = writer.size();
        this.progress = progress;
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public URI uri(URI apiBase) {
        return apiBase.resolve(repository.path() + "/blobs/" + digest);
    }

    @Override
    public Map<String, String> headers() {
        return offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
    }

    @Override
    public Set<Integer> acceptedStatuses() {
        return offset > 0 ? Set.of(200, 206) : Set.of(200);
    }

    @Override
    public Void handle(HttpResponse<InputStream> response) throws IOException {
        InputStream body = response.body();
        if (response.statusCode() == 200 && offset > 0) {
            // The registry ignored the Range header and sent everything: drop what is already written.
            body.skipNBytes(offset);
        } else if (response.statusCode() == 206) {
            String range = response.headers().firstValue("Content-Range").orElse("");
            if (!range.startsWith("bytes " + offset + "-")) {
                throw new RegistryException(describe() + ": asked for bytes from " + offset
                        + " but the registry sent the range \"" + range + "\"");
            }
        }
        byte[] buffer = new byte[BUFFER_SIZE];
        int n;
        while ((n = body.read(buffer)) >= 0) {
            if (writer.size() + n > size) {
                throw new RegistryException(describe() + ": the registry sent more than the " + size
                        + " bytes the descriptor gives; the registry or a proxy is serving different content");
            }
            writer.write(buffer, 0, n);
            progress.accept(writer.size());
        }
        return null;
    }

    @Override
    public String describe() {
        return "pull blob " + digest + " from " + repository.name() + (offset > 0 ? " (resuming at byte " + offset
                + ")" : "");
    }
}
