package dev.wharf.layers.registry;

import dev.wharf.layers.Digest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * PUT {@code <upload location>?digest=<digest>}: completes an upload, carrying the whole blob (monolithic upload)
 * or nothing (after chunks). The registry verifies the digest and answers 201.
 *
 * <p>Immutable; one instance per call. Not retryable on its own: a failure restarts the blob's upload.
 */
final class UploadFinisher implements RegistryEndpoint<Void> {
    private final URI location;
    private final Digest digest;
    private final Supplier<InputStream> content;
    private final long length;
    private final String what;

    /**
     * @param content opens the blob content for a monolithic upload, or null after chunks
     * @param length the content length (ignored without content)
     */
    UploadFinisher(URI location, Digest digest, Supplier<InputStream> content, long length, String what) {
        this.location = location;
        this.digest = digest;
        this.content = content;
        this.length = length;
        this.what = what;
    }

    @Override
    public String method() {
        return "PUT";
    }

    @Override
    public URI uri(URI apiBase) {
        String separator = location.getRawQuery() == null ? "?" : "&";
        return URI.create(location + separator + "digest=" + digest);
    }

    @Override
    public Map<String, String> headers() {
        return content == null ? Map.of() : Map.of("Content-Type", "application/octet-stream");
    }

    @Override
    public HttpRequest.BodyPublisher body() {
        if (content == null) {
            return HttpRequest.BodyPublishers.noBody();
        }
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(content), length);
    }

    @Override
    public Set<Integer> acceptedStatuses() {
        return Set.of(201);
    }

    @Override
    public boolean retryable() {
        return false;
    }

    @Override
    public Void handle(TransportResponse response) {
        return null;
    }

    @Override
    public String describe() {
        return "complete upload of " + what;
    }
}
