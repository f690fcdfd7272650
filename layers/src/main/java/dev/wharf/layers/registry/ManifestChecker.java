package dev.wharf.layers.registry;

import dev.wharf.layers.Digest;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * HEAD {@code /v2/<name>/manifests/<reference>}: the digest a tag points to, or empty when the registry has no
 * such manifest (used to skip pushing a manifest that is already there).
 *
 * <p>Immutable; one instance per call.
 */
final class ManifestChecker implements RegistryEndpoint<Optional<Digest>> {
    private final ImageReference repository;
    private final String reference;

    ManifestChecker(ImageReference repository, String reference) {
        this.repository = repository;
        this.reference = reference;
    }

    @Override
    public String method() {
        return "HEAD";
    }

    @Override
    public URI uri(URI apiBase) {
        return apiBase.resolve(repository.path() + "/manifests/" + reference);
    }

    @Override
    public List<String> accept() {
        return ManifestPuller.ACCEPT;
    }

    @Override
    public Set<Integer> acceptedStatuses() {
        return Set.of(200, 404);
    }

    @Override
    public Optional<Digest> handle(TransportResponse response) {
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return response.headers().firstValue("Docker-Content-Digest").flatMap(ManifestPuller::parseDigest);
    }

    @Override
    public String describe() {
        return "check manifest " + repository.name() + (reference.contains(":") ? "@" : ":") + reference;
    }
}
