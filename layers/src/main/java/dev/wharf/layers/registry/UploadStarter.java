package dev.wharf.layers.registry;

import dev.wharf.layers.Digest;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * POST {@code /v2/<name>/blobs/uploads/}: opens an upload session, or with {@code ?mount=<digest>&from=<repo>}
 * first tries to mount a blob from another repository of the same registry. The registry answers 201 when the mount
 * worked and 202 with a session {@code Location} otherwise (distribution falls back to a normal upload).
 *
 * <p>Immutable; one instance per call.
 */
final class UploadStarter implements RegistryEndpoint<UploadStarter.Started> {
    private final ImageReference repository;
    private final Digest mountDigest;
    private final String mountFrom;

    /** The outcome: mounted (no upload needed), or the upload session URL. */
    record Started(boolean mounted, URI location) {
    }

    UploadStarter(ImageReference repository, Digest mountDigest, String mountFrom) {
        this.repository = repository;
        this.mountDigest = mountDigest;
        this.mountFrom = mountFrom;
    }

    @Override
    public String method() {
        return "POST";
    }

    @Override
    public URI uri(URI apiBase) {
        String query = mountDigest == null ? "" : "?mount=" + mountDigest + "&from="
                + URLEncoder.encode(mountFrom, StandardCharsets.UTF_8);
        return apiBase.resolve(repository.path() + "/blobs/uploads/" + query);
    }

    @Override
    public Set<Integer> acceptedStatuses() {
        return Set.of(201, 202);
    }

    @Override
    public Started handle(TransportResponse response) throws RegistryException {
        if (response.statusCode() == 201) {
            return new Started(true, null);
        }
        return new Started(false, RegistryCaller.location(response, describe()));
    }

    @Override
    public String describe() {
        return (mountDigest == null ? "start upload to "
                : "mount blob " + mountDigest + " from " + mountFrom + " into ") + repository.name();
    }
}
