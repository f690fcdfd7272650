package dev.wharf.builder.exec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.builder.plan.BaseImage;
import dev.wharf.builder.plan.ImageConfigResolver;
import dev.wharf.builder.plan.ImageResolutionException;
import dev.wharf.builder.plan.Platform;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.json.JsonTrees;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Images of the local store by name: the planner's {@link ImageConfigResolver} (a reference resolves to
 * {@code name:tag@<manifest digest>}, so the executor reads exactly the manifest that was planned against), and the
 * executor's reader of manifests, configs and layers. Names are looked up as written, then in their full
 * normalized form ({@code docker.io/library/alpine:latest}, how pulls name images) and Docker's familiar form.
 *
 * <p>Thread-safe.
 */
final class LocalImages implements ImageConfigResolver {
    /** One resolved image: its manifest's digest, the manifest, the config and the layers with their diff ids. */
    record Resolved(Digest manifestDigest, ImageManifest manifest, Descriptor configDescriptor,
                    ImageConfiguration config, List<LayerBlob> layers) {
    }

    private final LocalStore store;

    LocalImages(LocalStore store) {
        this.store = store;
    }

    @Override
    public BaseImage resolve(String reference, Platform platform) throws ImageResolutionException {
        try {
            Resolved image = find(reference, platform).orElseThrow(() -> new ImageResolutionException(
                    "image " + reference + " is not in the local store; import one with `wharf import ROOTFS.tar "
                            + reference + "` (offline) or pull it"));
            return baseImage(reference, image, platform);
        } catch (LayerException e) {
            throw new ImageResolutionException("cannot read image " + reference + " from the local store: "
                    + e.getMessage());
        }
    }

    /**
     * The base image {@code reference} resolved to {@code image}: planned as {@code name@<manifest digest>} (any
     * digest written in the reference replaced), so the executor reads exactly that manifest.
     */
    static BaseImage baseImage(String reference, Resolved image, Platform platform) {
        ImageConfiguration c = image.config();
        Platform p = Platform.of(c.os().isEmpty() ? platform.os() : c.os(),
                c.architecture().isEmpty() ? platform.architecture() : c.architecture(),
                c.variant() == null ? "" : c.variant());
        int at = reference.indexOf('@');
        String name = at < 0 ? reference : reference.substring(0, at);
        return new BaseImage(name + "@" + image.manifestDigest(), p,
                ConfigMapper.toPlan(c.config(), c.author()), image.layers().isEmpty());
    }

    /** The image a reference (or a planned {@code name@digest}) names, if the store has it. */
    Optional<Resolved> find(String reference, Platform platform) throws LayerException {
        int at = reference.indexOf('@');
        if (at >= 0) {
            Digest digest;
            try {
                digest = Digest.parse(reference.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw new LayerException("invalid digest in " + reference + ": " + e.getMessage());
            }
            if (!store.blobs().exists(digest)) {
                return Optional.empty();
            }
            return Optional.of(manifest(digest, platform));
        }
        Optional<Descriptor> target = named(reference);
        return target.isPresent() ? Optional.of(fromDescriptor(target.get(), platform)) : Optional.empty();
    }

    /** The stored manifest or index a name points to, trying the names {@link #candidates} gives. */
    Optional<Descriptor> named(String reference) throws LayerException {
        for (String candidate : candidates(reference)) {
            ImageName name;
            try {
                name = ImageName.parse(candidate);
            } catch (IllegalArgumentException e) {
                continue;
            }
            Optional<Descriptor> target = store.images().resolve(name);
            if (target.isPresent()) {
                return target;
            }
        }
        return Optional.empty();
    }

    private Resolved fromDescriptor(Descriptor target, Platform platform) throws LayerException {
        Descriptor manifest = target;
        if (MediaTypes.isIndex(target.mediaType())) {
            ImageIndex index = reader().readIndex(target);
            manifest = index.manifests().stream()
                    .filter(m -> m.platform() == null || (m.platform().os().equals(platform.os())
                            && m.platform().architecture().equals(platform.architecture())))
                    .findFirst().orElseThrow(() -> new LayerException("image index " + target.digest()
                            + " has no manifest for " + platform.format()));
        }
        return manifest(manifest.digest(), platform);
    }

    /** The image whose manifest (or index) has {@code digest}; it must be in the store. */
    Resolved manifest(Digest digest, Platform platform) throws LayerException {
        long size = store.blobs().info(digest).orElseThrow(() -> new LayerException("manifest " + digest
                + " is not in the local store")).size();
        String type = documentType(digest);
        if (MediaTypes.isIndex(type)) {
            return fromDescriptor(Descriptor.of(type, digest, size), platform);
        }
        ImageManifest manifest = reader().readManifest(Descriptor.of(type, digest, size));
        ImageConfiguration config = reader().readConfig(manifest.config());
        List<Digest> diffIds = config.rootfs().diffIds();
        if (diffIds.size() != manifest.layers().size()) {
            throw new LayerException("image " + digest + " has " + manifest.layers().size() + " layers but "
                    + diffIds.size() + " diff ids; the image is malformed, import or pull it again");
        }
        List<LayerBlob> layers = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            Descriptor layer = manifest.layers().get(i);
            if (distributedPlain(layer)) {
                // Marked here too, not only by the pull or load that stored it: a store that pulled the image before
                // pulls marked such layers would otherwise compress them when a build FROM it pushes.
                store.variants().rememberDistributed(layer);
            }
            layers.add(new LayerBlob(layer, diffIds.get(i), 0));
        }
        return new Resolved(digest, manifest, manifest.config(), config, layers);
    }

    /**
     * The type of the stored document: its mediaType field, else its shape (OCI may omit the field). Not read as an
     * {@link ImageManifest}, which refuses an index (no config): {@code FROM name@sha256:INDEX} of a multi-platform
     * image pulled before must find the index here.
     */
    private String documentType(Digest digest) throws LayerException {
        JsonNode node;
        try {
            node = JsonTrees.parse(store.blobs().readAllBytes(digest, ImageReader.MAX_DOCUMENT_SIZE));
        } catch (IOException e) {
            throw new LayerException("cannot read manifest " + digest + " from the local store: " + e.getMessage(),
                    e);
        }
        String declared = node.path("mediaType").asText("");
        if (!declared.isEmpty()) {
            return declared;
        }
        return node.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    }

    /**
     * Whether a stored manifest's layer is a plain tar that came from outside the store: Docker's plain-tar types
     * (a registry or an archive wrote them; wharf's store keeps its own images, built or imported, with OCI types,
     * so an OCI plain tar cannot tell a pulled layer from a built one) whose blob is here.
     */
    private boolean distributedPlain(Descriptor layer) throws LayerException {
        return (MediaTypes.DOCKER_LAYER_TAR.equals(layer.mediaType())
                || MediaTypes.DOCKER_FOREIGN_LAYER_TAR.equals(layer.mediaType()))
                && store.blobs().exists(layer.digest());
    }

    private ImageReader reader() {
        return store.reader();
    }

    /**
     * The local names a reference may be stored under: as written, then its full normalized form (how pulled images
     * are named, {@code docker.io/library/alpine:latest}), then Docker's familiar form ({@code alpine:latest}).
     */
    private static List<String> candidates(String reference) {
        List<String> out = new ArrayList<>();
        out.add(reference);
        try {
            ImageReference parsed = ImageReference.parse(reference).withDefaultTag();
            out.add(parsed.toString());
            out.add(parsed.familiar());
        } catch (InvalidReferenceException e) {
            // Not a registry reference: only the name as written can match.
        }
        return out.stream().distinct().toList();
    }
}
