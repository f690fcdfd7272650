package dev.wharf.layers.layout;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The path arithmetic of a wharf store root, which is an OCI image layout (image-spec {@code image-layout.md}) plus
 * two wharf-private entries.
 *
 * <pre>
 * root/oci-layout               {"imageLayoutVersion":"1.0.0"}
 * root/index.json               the image index: tagged manifests
 * root/blobs/&lt;alg&gt;/&lt;hex&gt;      committed, read-only blobs
 * root/ingest/                  wharf: in-progress writes and index temp files, invisible until renamed
 * root/wharf.lock               wharf: lock file for cross-process index updates and GC
 * </pre>
 *
 * <p>Pure path computation, no I/O (like jib-core's {@code CacheStorageFiles}). Immutable and thread-safe. The OCI
 * layout spec allows extra files beside its own, so skopeo and umoci read the root unchanged.
 */
public final class OciLayout {
    /** The image-layout version wharf writes and accepts. */
    public static final String LAYOUT_VERSION = "1.0.0";

    /** The content of the {@code oci-layout} file wharf writes (the store's, and those of exported layouts). */
    public static final String LAYOUT_FILE_CONTENT = "{\"imageLayoutVersion\":\"" + LAYOUT_VERSION + "\"}";

    private final Path root;

    private OciLayout(Path root) {
        this.root = root;
    }

    /** Makes the layout of the given root directory (made absolute and normalized). */
    public static OciLayout at(Path root) {
        return new OciLayout(Objects.requireNonNull(root, "root").toAbsolutePath().normalize());
    }

    /** Returns the root directory. */
    public Path root() {
        return root;
    }

    /** Returns {@code root/oci-layout}. */
    public Path layoutFile() {
        return root.resolve("oci-layout");
    }

    /** Returns {@link #LAYOUT_FILE_CONTENT} in UTF-8, a new array on every call. */
    public static byte[] layoutFileBytes() {
        return LAYOUT_FILE_CONTENT.getBytes(StandardCharsets.UTF_8);
    }

    /** Returns {@code root/index.json}. */
    public Path indexFile() {
        return root.resolve("index.json");
    }

    /** Returns {@code root/blobs}. */
    public Path blobsDir() {
        return root.resolve("blobs");
    }

    /** Returns {@code root/blobs/<algorithm>}. */
    public Path blobDir(DigestAlgorithm algorithm) {
        return blobsDir().resolve(algorithm.ociName());
    }

    /** Returns {@code root/blobs/<algorithm>/<hex>}, where the committed blob with that digest lives. */
    public Path blob(Digest digest) {
        // Safe to resolve: Digest guarantees a known algorithm name and lowercase hex, so no separators or "..".
        return blobDir(digest.algorithm()).resolve(digest.hex());
    }

    /** Returns {@code root/ingest}, the staging directory (same filesystem as blobs, so renames are atomic). */
    public Path ingestDir() {
        return root.resolve("ingest");
    }

    /** Returns {@code root/wharf.lock}. */
    public Path lockFile() {
        return root.resolve("wharf.lock");
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
