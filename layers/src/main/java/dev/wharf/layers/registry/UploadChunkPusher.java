package dev.wharf.layers.registry;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.Set;

/**
 * PATCH {@code <upload location>} with {@code Content-Range: <start>-<end>}: sends one chunk of a chunked upload and
 * returns the session's next location.
 *
 * <p>Immutable; one instance per chunk. Not retryable on its own: a failed chunk restarts the blob's upload.
 */
final class UploadChunkPusher implements RegistryEndpoint<URI> {
    private final URI location;
    private final byte[] chunk;
    private final int length;
    private final long start;
    private final String what;

    UploadChunkPusher(URI location, byte[] chunk, int length, long start, String what) {
        this.location = location;
        this.chunk = chunk;
        this.length = length;
        this.start = start;
        this.what = what;
    }

    @Override
    public String method() {
        return "PATCH";
    }

    @Override
    public URI uri(URI apiBase) {
        return location;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Content-Type", "application/octet-stream",
                "Content-Range", start + "-" + (start + length - 1));
    }

    @Override
    public HttpRequest.BodyPublisher body() {
        return HttpRequest.BodyPublishers.ofByteArray(chunk, 0, length);
    }

    @Override
    public Set<Integer> acceptedStatuses() {
        return Set.of(202);
    }

    @Override
    public boolean retryable() {
        return false;
    }

    @Override
    public URI handle(TransportResponse response) throws RegistryException {
        return RegistryCaller.location(response, describe());
    }

    @Override
    public String describe() {
        return "upload bytes " + start + "-" + (start + length - 1) + " of " + what;
    }
}
