package dev.wharf.layers.registry;

import dev.wharf.layers.Digest;
import dev.wharf.layers.blob.BlobWriter;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
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
    /**
     * The most bytes read from the socket per call: several socket buffers' worth, so that reads are few (a read
     * returns what has arrived; those of 64 KiB or more go through the writer without a copy into its buffer), and
     * few enough to stay in the core's cache from the read through the hash to the write. Measured with perf on a
     * 300 MB pull: 1 MiB filled before each write cost the transfer threads up to 80% more CPU, 128 KiB a little
     * more, and reading into a direct buffer from the socket's channel (no copies through this array) no less.
     */
    private static final int BUFFER_SIZE = 256 * 1024;

    private final ImageReference repository;
    private final Digest digest;
    private final long size;
    private final BlobWriter writer;
    private final long offset;
    private final LongConsumer progress;

    /**
     * @param size the blob's size from its descriptor: a registry sending more is cut off, so a hostile or broken
     *     server cannot fill the disk
     * @param progress told the bytes written so far after every read
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
     * Copies the body into the writer on the calling thread, from the socket through one array. A 206 must start
     * where this attempt resumes; a 200 to a resuming request (the registry ignored the Range header) is written
     * from the byte the writer is at. A connection that drops is an {@link IOException} with the bytes so far
     * written (the caller resumes from the writer's size).
     *
     * @throws RegistryException for content that cannot be right: a range other than the one asked for, or more
     *     bytes than the descriptor's size
     */
    @Override
    public Void handle(TransportResponse response) throws IOException {
        InputStream body = response.body();
        if (response.statusCode() == 206) {
            String range = response.headers().firstValue("Content-Range").orElse("");
            if (!range.startsWith("bytes " + offset + "-")) {
                throw new RegistryException(describe() + ": asked for bytes from " + offset
                        + " but the registry sent the range \"" + range + "\"");
            }
        } else if (offset > 0) {
            try {
                body.skipNBytes(offset);
            } catch (EOFException e) {
                throw new EOFException(describe() + ": the body ended before the " + offset
                        + " bytes already stored were skipped");
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
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException(describe() + ": interrupted");
            }
        }
        return null;
    }

    @Override
    public String describe() {
        return "pull blob " + digest + " from " + repository.name() + (offset > 0 ? " (resuming at byte " + offset
                + ")" : "");
    }
}
