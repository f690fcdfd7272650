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
 * <p>Not thread-safe: one instance per attempt. The body is written by the HTTP client's threads
 * ({@link BlobSink}) while the thread that owns the writer waits in {@link #handle}.
 */
final class BlobPuller implements RegistryEndpoint<Void> {
    private final ImageReference repository;
    private final Digest digest;
    private final long size;
    private final BlobWriter writer;
    private final long offset;
    private final LongConsumer progress;

    /**
     * @param size the blob's size from its descriptor: a registry sending more is cut off, so a hostile or broken
     *     server cannot fill the disk
     * @param progress told the bytes written so far after every buffer (from the HTTP client's threads)
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

    /**
     * Writes an accepted body straight into the writer from the HTTP client's threads ({@link BlobSink}). A 206 must
     * start where this attempt resumes; a 200 to a resuming request (the registry ignored the Range header) is
     * written from the byte the writer is at.
     */
    @Override
    public HttpResponse.BodySubscriber<InputStream> bodySubscriber(HttpResponse.ResponseInfo info) {
        long skip = 0;
        if (info.statusCode() == 200 && offset > 0) {
            skip = offset;
        } else if (info.statusCode() == 206) {
            String range = info.headers().firstValue("Content-Range").orElse("");
            if (!range.startsWith("bytes " + offset + "-")) {
                return BlobSink.failing(new RegistryException(describe() + ": asked for bytes from " + offset
                        + " but the registry sent the range \"" + range + "\""));
            }
        }
        return new BlobSink(writer, size, skip, progress, describe());
    }

    /** Waits until {@link BlobSink} stored the whole body, or throws what stopped it. */
    @Override
    public Void handle(HttpResponse<InputStream> response) throws IOException {
        response.body().read();
        return null;
    }

    @Override
    public String describe() {
        return "pull blob " + digest + " from " + repository.name() + (offset > 0 ? " (resuming at byte " + offset
                + ")" : "");
    }
}
