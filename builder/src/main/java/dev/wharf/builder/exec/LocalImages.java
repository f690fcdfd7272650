package dev.wharf.builder.exec;

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
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Images of the local store by name: the planner's {@link ImageConfigResolver} (a reference resolves to
 * {@code name:tag@<manifest digest>}, so the executor reads exactly the manifest that was planned against), and the
 * executor's reader of manifests, configs and layers. Names are looked up as written, then without a
 * {@code docker.io/library/} or {@code docker.io/} prefix.
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
            ImageConfiguration c = image.config();
            Platform p = Platform.of(c.os().isEmpty() ? platform.os() : c.os(),
                    c.architecture().isEmpty() ? platform.architecture() : c.architecture(),
                    c.variant() == null ? "" : c.variant());
            String pinned = reference.contains("@") ? reference : reference + "@" + image.manifestDigest();
            return new BaseImage(pinned, p,
                    ConfigMapper.toPlan(c.config(), c.author()), image.layers().isEmpty());
        } catch (LayerException e) {
            throw new ImageResolutionException("cannot read image " + reference + " from the local store: "
                    + e.getMessage());
        }
    }

    /** The image a reference (or a planned {@code name@digest}) names, if the store has it. */
    Optional<Resolved> find(String reference, Platform platform) throws LayerException {
        int at = reference.indexOf('@');
        if (at >= 0) {
            Digest digest = Digest.parse(reference.substring(at + 1));
            return Optional.of(manifest(digest, platform));
        }
        for (String candidate : candidates(reference)) {
            ImageName name;
            try {
                name = ImageName.parse(candidate);
            } catch (IllegalArgumentException e) {
                continue;
            }
            Optional<Descriptor> target = store.images().resolve(name);
            if (target.isPresent()) {
                return Optional.of(fromDescriptor(target.get(), platform));
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

    private Resolved manifest(Digest digest, Platform platform) throws LayerException {
        long size = store.blobs().info(digest).orElseThrow(() -> new LayerException("manifest " + digest
                + " is not in the local store")).size();
        ImageManifest probe = store.json().read(store.blobs().readAllBytes(digest, ImageReader.MAX_DOCUMENT_SIZE),
                ImageManifest.class, "manifest " + digest);
        String type = probe.mediaType() == null ? MediaTypes.OCI_MANIFEST : probe.mediaType();
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
            layers.add(new LayerBlob(manifest.layers().get(i), diffIds.get(i), 0));
        }
        return new Resolved(digest, manifest, manifest.config(), config, layers);
    }

    private ImageReader reader() {
        return store.reader();
    }

    private static List<String> candidates(String reference) {
        List<String> out = new ArrayList<>();
        out.add(reference);
        for (String prefix : List.of("docker.io/library/", "docker.io/", "index.docker.io/library/")) {
            if (reference.startsWith(prefix)) {
                out.add(reference.substring(prefix.length()));
            }
        }
        return out;
    }
}
