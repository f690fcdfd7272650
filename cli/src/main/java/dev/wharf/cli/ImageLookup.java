package dev.wharf.cli;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.archive.RootfsImportOptions;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.registry.PlatformMatcher;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.store.TaggedImage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds images of a local store the way {@code docker image inspect} takes references: a {@code name[:tag]}
 * ({@code latest} by default), else a full or unique leading part of an image ID, with or without
 * {@code sha256:}. A name wins over an ID prefix that reads the same.
 *
 * <p>Reads the store on each call; thread-safe as the store is.
 */
final class ImageLookup {
    private static final Pattern ID = Pattern.compile("(?:sha256:)?([0-9a-f]{1,64})");

    private final LocalStore store;
    private final Platform platform;

    ImageLookup(LocalStore store) {
        this.store = store;
        this.platform = RootfsImportOptions.hostPlatform();
    }

    /**
     * Returns the image {@code reference} names or identifies.
     *
     * @throws CommandException if there is no such image, or an ID prefix matches several images
     * @throws LayerException if the store cannot be read
     */
    ResolvedImage find(String reference) throws CommandException, LayerException {
        Optional<Descriptor> named = resolveName(reference);
        if (named.isPresent()) {
            return complete(named.get());
        }
        var id = ID.matcher(reference);
        if (id.matches()) {
            String prefix = id.group(1);
            Set<Digest> matches = new LinkedHashSet<>();
            Descriptor first = null;
            for (TaggedImage image : store.images().list()) {
                Optional<Digest> imageId = imageId(image.descriptor());
                boolean byId = imageId.isPresent() && imageId.get().hex().startsWith(prefix);
                if (byId || image.descriptor().digest().hex().startsWith(prefix)) {
                    matches.add(imageId.orElse(image.descriptor().digest()));
                    first = first == null ? image.descriptor() : first;
                }
            }
            if (matches.size() > 1) {
                throw new CommandException("image ID prefix " + reference + " is ambiguous: it matches "
                        + matches.size() + " images; give more digits");
            }
            if (first != null) {
                return complete(first);
            }
        }
        throw new CommandException("No such image: " + reference);
    }

    /**
     * The descriptor {@code text} names, or empty when it is no valid name or no such name is stored (see
     * {@link #storedName}).
     */
    Optional<Descriptor> resolveName(String text) throws LayerException {
        Optional<ImageName> name = parseName(text);
        return name.isPresent()
                ? store.images().resolve(name.get()).map(d -> d.withAnnotations(java.util.Map.of()))
                : Optional.empty();
    }

    /**
     * {@code text} as a name, when an image of that name is stored in any spelling: the store's resolve finds
     * {@code alpine} as the {@code docker.io/library/alpine:latest} a pull wrote, as docker finds {@code alpine} after
     * {@code docker pull alpine}. The name stays as written (rmi prints it so, and save names the image so, as
     * docker does); empty if it is no valid name or not stored.
     */
    Optional<ImageName> storedName(String text) throws LayerException {
        Optional<ImageName> name = parseName(text);
        return name.isPresent() && store.images().resolve(name.get()).isPresent() ? name : Optional.empty();
    }

    private static Optional<ImageName> parseName(String text) {
        try {
            return Optional.of(ImageName.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // an ID prefix, a digest reference, or no name at all
        }
    }

    /**
     * The image a store entry points to (for an index: this host's manifest), without collecting its other names.
     *
     * @throws CommandException if the entry is no image or an index lacks this host's manifest
     * @throws LayerException if its manifest or config cannot be read
     */
    ResolvedImage image(Descriptor target) throws CommandException, LayerException {
        Descriptor manifestDescriptor = platformManifest(target);
        ImageManifest manifest = store.reader().readManifest(manifestDescriptor);
        return new ResolvedImage(manifest.config().digest(), target, manifest,
                store.reader().readConfig(manifest.config()), List.of());
    }

    private ResolvedImage complete(Descriptor target) throws CommandException, LayerException {
        Descriptor manifestDescriptor = platformManifest(target);
        ImageManifest manifest = store.reader().readManifest(manifestDescriptor);
        Digest id = manifest.config().digest();
        List<String> names = new ArrayList<>();
        for (TaggedImage image : store.images().list()) {
            if (imageId(image.descriptor()).filter(id::equals).isPresent()) {
                names.add(image.refName());
            }
        }
        return new ResolvedImage(id, target, manifest, store.reader().readConfig(manifest.config()), names);
    }

    /** The config digest of a named entry, or empty if it cannot be read (it then matches no ID). */
    private Optional<Digest> imageId(Descriptor target) {
        try {
            return Optional.of(store.reader().readManifest(platformManifest(target)).config().digest());
        } catch (LayerException | CommandException e) {
            return Optional.empty();
        }
    }

    private Descriptor platformManifest(Descriptor target) throws CommandException, LayerException {
        if (MediaTypes.isManifest(target.mediaType())) {
            return target;
        }
        if (!MediaTypes.isIndex(target.mediaType())) {
            throw new CommandException("the store entry " + target.digest() + " is a " + target.mediaType()
                    + ", not an image");
        }
        ImageIndex index = store.reader().readIndex(target);
        List<Descriptor> present = new ArrayList<>();
        for (Descriptor child : index.manifests()) {
            if (MediaTypes.isManifest(child.mediaType()) && store.blobs().exists(child.digest())) {
                present.add(child);
            }
        }
        return new PlatformMatcher(platform).select(present).orElseThrow(() -> new CommandException(
                "image index " + target.digest() + " has no manifest for " + platform + " in the store"));
    }
}
