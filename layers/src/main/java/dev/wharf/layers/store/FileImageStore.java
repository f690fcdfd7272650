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
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
        byte[] bytes = indexBytes();
        return bytes == null ? ImageIndex.oci(List.of()) : parseIndex(bytes);
    }

    /** The bytes of {@code index.json}, or null when there is none. */
    private byte[] indexBytes() throws LayerException {
        try {
            return Files.readAllBytes(layout.indexFile());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new LayerException("cannot read " + layout.indexFile() + ": " + e.getMessage(), e);
        }
    }

    /** {@code bytes} of {@code index.json} as an image index; the {@link #damaged} error when they are not one. */
    private ImageIndex parseIndex(byte[] bytes) throws LayerException {
        try {
            ImageIndex index = json.read(bytes, ImageIndex.class, layout.indexFile().toString());
            if (index == null) {
                throw new LayerException("it holds null");
            }
            return index;
        } catch (LayerException e) {
            throw damaged(e.getMessage(), e);
        }
    }

    /**
     * The error every command gives for a damaged {@code index.json} (a torn write after a disk fault): it names the
     * file and points at {@code wharf doctor --repair}, which keeps the file and recovers what it still holds.
     */
    private LayerException damaged(String what, Exception cause) {
        return new LayerException(layout.indexFile() + " is damaged, not a valid OCI image index (" + what
                + "); run wharf doctor --repair to move it aside and write a new index with the image names it still "
                + "holds (blobs stay)", cause);
    }

    /**
     * Checks that {@code index.json} reads as an image index; with {@code repair}, a damaged one is renamed to
     * {@code index.json.damaged-<now>} (kept for the user) and a new index is written holding the entries that
     * {@link IndexSalvage} soundly reads from it: only complete entries whose manifest or index is in the store, so
     * no name is invented. Nothing is garbage-collected here; the blobs of names that were lost stay until a later
     * prune. Runs under the store lock the caller holds.
     *
     * @return the problem found (repaired or not), or empty if the index is sound
     */
    Optional<StoreProblem> checkIndex(boolean repair, Instant now) throws LayerException {
        Path file = layout.indexFile();
        // Unreadable (permissions, I/O error) fails here, not damaged: nothing to repair.
        byte[] bytes = indexBytes();
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            parseIndex(bytes);
            return Optional.empty();
        } catch (LayerException e) {
            // Damaged: salvage from the bytes just read.
        }
        List<Descriptor> salvaged = new ArrayList<>();
        for (Descriptor entry : IndexSalvage.entries(bytes, json)) {
            if ((MediaTypes.isManifest(entry.mediaType()) || MediaTypes.isIndex(entry.mediaType()))
                    && blobs.exists(entry.digest())) {
                salvaged.add(entry);
            }
        }
        String names = salvaged.stream().map(FileImageStore::refNameOf).filter(n -> n != null)
                .collect(Collectors.joining(", "));
        String found = bytes.length == 0 ? "it is empty" : "it does not parse as JSON image index ("
                + bytes.length + " bytes)";
        if (!repair) {
            return Optional.of(new StoreProblem(StoreProblem.Kind.DAMAGED_INDEX, file.toString(), found
                    + "; every command fails until it is repaired; --repair keeps it as " + file.getFileName()
                    + ".damaged-<time> and writes a new index with the " + salvaged.size()
                    + " complete entries it still holds" + (names.isEmpty() ? "" : " (" + names + ")"), false));
        }
        String stem = file.getFileName() + ".damaged-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
        Path kept = file.resolveSibling(stem);
        for (int n = 2; Files.exists(kept, LinkOption.NOFOLLOW_LINKS); n++) {
            kept = file.resolveSibling(stem + "-" + n); // an earlier repair in the same second kept its own
        }
        try {
            Files.move(file, kept);
        } catch (IOException e) {
            throw new LayerException("cannot move the damaged " + file + " aside to " + kept + ": " + e.getMessage(),
                    e);
        }
        writeIndex(ImageIndex.oci(salvaged));
        return Optional.of(new StoreProblem(StoreProblem.Kind.DAMAGED_INDEX, file.toString(), found
                + "; kept as " + kept + "; wrote a new index with the " + salvaged.size() + " complete entries it "
                + "still held" + (names.isEmpty() ? "" : " (" + names + ")") + "; the other image names are lost "
                + "(their blobs stay until the next prune; build, pull or load them again to name them)", true));
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
