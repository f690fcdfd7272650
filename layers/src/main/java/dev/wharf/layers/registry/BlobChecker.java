package dev.wharf.layers.registry;

import dev.wharf.layers.Digest;
import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * HEAD {@code /v2/<name>/blobs/<digest>}: whether the repository has a blob, and its size.
 *
 * <p>Immutable; one instance per call.
 */
final class BlobChecker implements RegistryEndpoint<Optional<Long>> {
    private final ImageReference repository;
    private final Digest digest;

    BlobChecker(ImageReference repository, Digest digest) {
        this.repository = repository;
        this.digest = digest;
    }

    @Override
    public String method() {
        return "HEAD";
    }

    @Override
    public URI uri(URI apiBase) {
        return apiBase.resolve(repository.path() + "/blobs/" + digest);
    }

    @Override
    public Set<Integer> acceptedStatuses() {
        return Set.of(200, 404);
    }

    @Override
    public Optional<Long> handle(TransportResponse response) {
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        OptionalLong length = response.headers().firstValueAsLong("Content-Length");
        return Optional.of(length.isPresent() ? length.getAsLong() : -1L);
    }

    @Override
    public String describe() {
        return "check blob " + digest + " in " + repository.name();
    }
}
