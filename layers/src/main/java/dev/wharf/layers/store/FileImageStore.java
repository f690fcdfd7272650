package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.ReferenceGrammar;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.OciLayout;
import dev.wharf.layers.layout.StoreLock;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An {@link ImageStore} kept in the OCI layout's {@code index.json}: each name is a manifest descriptor annotated
 * with {@code org.opencontainers.image.ref.name = name:tag} (or {@code name@sha256:...} for a digest reference), which is what {@code skopeo inspect oci:<root>:<name:tag>}
 * and other OCI layout readers look up.
 *
 * <p>Immutable and thread-safe; safe across processes. Changes run under the store lock as read, modify, write a temp
 * file, fsync, rename, so concurrent taggers never lose each other's updates and readers (which take no lock) never
 * see a torn file. Entries written by other tools (without a ref name, or with a bare tag) are kept unchanged.
 * Made by {@link LocalStore}.
 */
public final class FileImageStore implements ImageStore {
    private static final int MAX_NAME_LENGTH = 255;
    /** The canonical JSON of {@code ImageIndex.oci(List.of())} (FileImageStoreTest checks it against the codec). */
    static final String EMPTY_INDEX = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
            + "\",\"manifests\":[]}";

    private final FileBlobStore blobs;
    private final OciLayout layout;
    private final StoreLock lock;
    private final CanonicalJson json;
    private final ReferenceWalker walker;

    FileImageStore(FileBlobStore blobs, StoreLock lock, CanonicalJson json) {
        this.blobs = blobs;
        this.layout = blobs.layout();
        this.lock = lock;
        this.json = json;
        this.walker = new ReferenceWalker(blobs, new ImageReader(blobs, json));
    }

    /**
     * Creates an empty {@code index.json} if there is none, so the root is a complete OCI layout. Its bytes are
     * {@link #EMPTY_INDEX}, not written through the JSON codec: opening a new store (every fresh {@code wharf pull}
     * into a new root) then does not build the index serializer before its first download; the naming at the end
     * builds it, or finds it prepared ({@link CanonicalJson#prepare}).
     */
    void initialize() throws LayerException {
        if (Files.exists(layout.indexFile())) {
            return;
        }
        try (StoreLock.Held held = lock.acquire()) {
            if (!Files.exists(layout.indexFile())) {
                AtomicFiles.replace(layout.indexFile(), EMPTY_INDEX.getBytes(StandardCharsets.UTF_8),
                        layout.ingestDir());
            }
        } catch (IOException e) {
            throw new LayerException("cannot write " + layout.indexFile() + ": " + e.getMessage()
                    + "; check free space and permissions of the store", e);
        }
    }

    @Override
    public void tag(ImageName name, Descriptor target) throws LayerException {
        put(name.toString(), target);
    }

    /**
     * The entry's ref name is {@code repository@sha256:...}: the OCI layout's ref name grammar allows {@code @} and
     * {@code :}, and no {@code name:tag} can contain an {@code @}, so it never collides with a tag.
     */
    @Override
    public void tagDigest(String repository, Descriptor target) throws LayerException {
        put(digestRefName(repository, target.digest()), target);
    }

    @Override
    public boolean untagDigest(String repository, Digest digest) throws LayerException {
        return remove(digestRefName(repository, digest));
    }

    private static String digestRefName(String repository, Digest digest) {
        if (repository.length() > MAX_NAME_LENGTH || !ReferenceGrammar.NAME_PATTERN.matcher(repository).matches()) {
            throw new IllegalArgumentException("invalid repository name \"" + repository + "\": use lowercase "
                    + "letters, digits and separators (. _ -) in /-separated components, optionally after a "
                    + "registry host[:port]");
        }
        return repository + "@" + digest;
    }

    private void put(String refName, Descriptor target) throws LayerException {
        if (!MediaTypes.isManifest(target.mediaType()) && !MediaTypes.isIndex(target.mediaType())) {
            throw new IllegalArgumentException("can only tag a manifest or index, not " + target.mediaType());
        }
        try (StoreLock.Held held = lock.acquire()) {
            // Checked under the lock: garbage collection also runs under it, so once tagged, the blobs stay.
            ReferenceWalker.Reachable reachable = walker.walk(List.of(target));
            if (!reachable.missing().isEmpty()) {
                throw new LayerException("cannot tag " + refName + ": the store " + layout.root() + " lacks "
                        + reachable.missing().stream().map(d -> d.mediaType() + " " + d.digest())
                                .collect(Collectors.joining(", "))
                        + "; write those blobs first (they may have been garbage-collected), then tag again");
            }
            Descriptor entry = target.withAnnotation(Descriptor.REF_NAME_ANNOTATION, refName);
            ImageIndex index = readIndex();
            List<Descriptor> manifests = new ArrayList<>();
            boolean replaced = false;
            String canonical = canonical(refName);
            for (Descriptor existing : index.manifests()) {
                if (sameName(refName, canonical, refNameOf(existing))) {
                    if (!replaced) {
                        manifests.add(entry);
                        replaced = true;
                    }
                } else {
                    manifests.add(existing);
                }
            }
            if (!replaced) {
                manifests.add(entry);
            }
            // A rebuild that tags the same manifest again changes nothing: no rewrite, no fsync.
            if (!manifests.equals(index.manifests())) {
                writeIndex(index.withManifests(manifests));
            }
        }
    }

    @Override
    public Optional<Descriptor> resolve(ImageName name) throws LayerException {
        String refName = name.toString();
        Descriptor found = null;
        List<Descriptor> entries = readIndex().manifests();
        for (Descriptor entry : entries) {
            if (refName.equals(refNameOf(entry))) {
                found = entry;
            }
        }
        if (found == null) {
            // Another spelling of the same name, written by an older wharf (alpine, docker.io/library/alpine).
            String canonical = canonical(refName);
            for (Descriptor entry : entries) {
                if (sameName(refName, canonical, refNameOf(entry))) {
                    found = entry;
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Whether the stored ref name {@code other} names the same image as {@code refName} (whose canonical form is
     * {@code canonical}): docker keeps one name per reference as distribution/reference normalises it
     * (normalize.go, ParseNormalizedNamed), so {@code hello}, {@code docker.io/library/hello} and
     * {@code index.docker.io/library/hello} are one tag; wharf keeps the spelling last written and treats the others
     * as that tag.
     */
    private static boolean sameName(String refName, String canonical, String other) {
        if (other == null) {
            return false;
        }
        return refName.equals(other) || (canonical != null && canonical.equals(canonical(other)));
    }

    /** The canonical reference of a ref name ({@code docker.io/library/hello:latest}), or null if it is none. */
    private static String canonical(String refName) {
        try {
            return ImageReference.parse(refName).withDefaultTag().toString();
        } catch (InvalidReferenceException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public List<TaggedImage> list() throws LayerException {
        List<TaggedImage> images = new ArrayList<>();
        for (Descriptor entry : readIndex().manifests()) {
            String refName = refNameOf(entry);
            if (refName != null) {
                images.add(new TaggedImage(refName, entry));
            }
        }
        return List.copyOf(images);
    }

    @Override
    public boolean untag(ImageName name) throws LayerException {
        return remove(name.toString());
    }

    /** Removes the entries named {@code refName} in any spelling (see {@link #sameName}). */
    private boolean remove(String refName) throws LayerException {
        String canonical = canonical(refName);
        try (StoreLock.Held held = lock.acquire()) {
            ImageIndex index = readIndex();
            List<Descriptor> kept = index.manifests().stream()
                    .filter(entry -> !sameName(refName, canonical, refNameOf(entry))).toList();
            if (kept.size() == index.manifests().size()) {
                return false;
            }
            writeIndex(index.withManifests(kept));
            return true;
        }
    }

    /** Returns every descriptor in {@code index.json}, named or not: the roots of garbage collection. */
    List<Descriptor> roots() throws LayerException {
        return readIndex().manifests();
    }

    private ImageIndex readIndex() throws LayerException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(layout.indexFile());
        } catch (NoSuchFileException e) {
            return ImageIndex.oci(List.of());
        } catch (IOException e) {
            throw new LayerException("cannot read " + layout.indexFile() + ": " + e.getMessage(), e);
        }
        try {
            return json.read(bytes, ImageIndex.class, layout.indexFile().toString());
        } catch (LayerException e) {
            throw new LayerException(layout.indexFile() + " is not a valid OCI image index (" + e.getMessage()
                    + "); fix or delete it (deleting it forgets all image names; blobs stay)", e);
        }
    }

    private void writeIndex(ImageIndex index) throws LayerException {
        try {
            AtomicFiles.replace(layout.indexFile(), json.write(index), layout.ingestDir());
        } catch (IOException e) {
            throw new LayerException("cannot write " + layout.indexFile() + ": " + e.getMessage()
                    + "; check free space and permissions of the store", e);
        }
    }

    private static String refNameOf(Descriptor entry) {
        return entry.annotations().get(Descriptor.REF_NAME_ANNOTATION);
    }
}
