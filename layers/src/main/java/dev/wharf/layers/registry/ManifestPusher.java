package dev.wharf.layers.registry;

import dev.wharf.layers.Digest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * PUT {@code /v2/<name>/manifests/<reference>}: uploads a manifest or index under a tag (or its digest), with its
 * media type as {@code Content-Type}; returns the digest the registry reports.
 *
 * <p>Immutable; one instance per call. Retryable: putting the same bytes again is idempotent.
 */
final class ManifestPusher implements RegistryEndpoint<Optional<Digest>> {
    private final ImageReference repository;
    private final String reference;
    private final byte[] content;
    private final String mediaType;

    ManifestPusher(ImageReference repository, String reference, byte[] content, String mediaType) {
        this.repository = repository;
        this.reference = reference;
        this.content = content;
        this.mediaType = mediaType;
    }

    @Override
    public String method() {
        return "PUT";
    }

    @Override
    public URI uri(URI apiBase) {
        return apiBase.resolve(repository.path() + "/manifests/" + reference);
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Content-Type", mediaType);
    }

    @Override
    public HttpRequest.BodyPublisher body() {
        return HttpRequest.BodyPublishers.ofByteArray(content);
    }

    @Override
    public Set<Integer> acceptedStatuses() {
        return Set.of(200, 201);
    }

    @Override
    public Optional<Digest> handle(TransportResponse response) {
        return response.headers().firstValue("Docker-Content-Digest").flatMap(ManifestPuller::parseDigest);
    }

    @Override
    public String describe() {
        return "push manifest " + repository.name() + (reference.contains(":") ? "@" : ":") + reference;
    }
}
