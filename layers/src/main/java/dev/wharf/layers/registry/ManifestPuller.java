package dev.wharf.layers.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.json.JsonTrees;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * GET {@code /v2/<name>/manifests/<reference>}: fetches a manifest or index by tag or digest, accepting OCI and
 * Docker schema 2 types, and verifies it: against the requested digest, and against the registry's
 * {@code Docker-Content-Digest} header.
 *
 * <p>Immutable; one instance per call.
 */
final class ManifestPuller implements RegistryEndpoint<ManifestResponse> {
    /** The media types asked for, in Docker's order of preference (schema 1 is not accepted). */
    static final List<String> ACCEPT = List.of(MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST,
            MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);

    private final ImageReference repository;
    private final String reference;
    private final boolean resolve;

    /**
     * @param resolve whether this call resolves the image's reference (containerd HEADs it first, so an error
     *     names HEAD) rather than fetching a child manifest of a resolved index by digest (a GET)
     */
    ManifestPuller(ImageReference repository, String reference, boolean resolve) {
        this.repository = repository;
        this.reference = reference;
        this.resolve = resolve;
    }

    @Override
    public String method() {
        return "GET";
    }

    /** containerd's resolver resolves a tag or digest with a HEAD before it GETs the manifest. */
    @Override
    public String goMethod() {
        return resolve ? "HEAD" : "GET";
    }

    @Override
    public URI uri(URI apiBase) {
        return apiBase.resolve(repository.path() + "/manifests/" + reference);
    }

    @Override
    public List<String> accept() {
        return ACCEPT;
    }

    @Override
    public Set<Integer> acceptedStatuses() {
        return Set.of(200);
    }

    @Override
    public ManifestResponse handle(TransportResponse response) throws IOException {
        byte[] content = response.body().readNBytes((int) ImageReader.MAX_DOCUMENT_SIZE + 1);
        if (content.length > ImageReader.MAX_DOCUMENT_SIZE) {
            throw new RegistryException(describe() + ": the manifest is larger than "
                    + ImageReader.MAX_DOCUMENT_SIZE + " bytes; refusing it");
        }
        Optional<Digest> requested = parseDigest(reference);
        Optional<String> header = response.headers().firstValue("Docker-Content-Digest");
        DigestAlgorithm algorithm = requested.map(Digest::algorithm).orElse(DigestAlgorithm.SHA256);
        Digest actual = Digest.fromHash(algorithm, algorithm.newMessageDigest().digest(content));
        if (requested.isPresent() && !requested.get().equals(actual)) {
            throw new RegistryException(describe() + ": the registry served content with digest " + actual
                    + " instead of the requested " + requested.get() + "; the registry or a proxy is corrupting data");
        }
        if (header.isPresent()) {
            Digest claimed = parseDigest(header.get().trim()).orElseThrow(() -> new RegistryException(describe()
                    + ": the registry sent an invalid Docker-Content-Digest header " + header.get()));
            Digest own = claimed.algorithm() == algorithm ? actual
                    : Digest.fromHash(claimed.algorithm(), claimed.algorithm().newMessageDigest().digest(content));
            if (!claimed.equals(own)) {
                throw new RegistryException(describe() + ": the registry says the manifest has digest " + claimed
                        + " but its " + content.length + " bytes hash to " + own
                        + "; the registry or a proxy is corrupting data, try again");
            }
        }
        String mediaType = response.headers().firstValue("Content-Type").map(RegistryCaller::bareMediaType)
                .filter(t -> MediaTypes.isManifest(t) || MediaTypes.isIndex(t))
                .orElseGet(() -> declaredMediaType(content));
        if (!MediaTypes.isManifest(mediaType) && !MediaTypes.isIndex(mediaType)) {
            throw new RegistryException(describe() + ": the registry served a document of type \"" + mediaType
                    + "\", which is neither an image manifest nor an index (schema 1 images are not supported; "
                    + "push the image again with a current client)");
        }
        return new ManifestResponse(content, mediaType, actual);
    }

    /** The document's own mediaType field; an OCI document may omit it, then its shape decides. */
    private String declaredMediaType(byte[] content) {
        try {
            JsonNode node = JsonTrees.parse(content);
            String declared = node.path("mediaType").asText("");
            if (!declared.isEmpty()) {
                return declared;
            }
            if (node.has("manifests")) {
                return MediaTypes.OCI_INDEX;
            }
            if (node.has("config")) {
                return MediaTypes.OCI_MANIFEST;
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    static Optional<Digest> parseDigest(String text) {
        if (text.indexOf(':') < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public String describe() {
        return "pull manifest " + repository.name() + (reference.contains(":") ? "@" : ":") + reference;
    }
}
