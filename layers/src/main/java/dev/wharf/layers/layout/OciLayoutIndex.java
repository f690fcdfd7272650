package dev.wharf.layers.layout;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.json.CanonicalJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code index.json} and {@code oci-layout} files of an OCI image layout directory that images are exported
 * into ({@code -o type=oci,tar=false}, {@code wharf save --format oci-dir}), where the entries already there are kept
 * unless a new one takes their name, by the {@link NameRule} of the tool whose behaviour the export follows. Blobs
 * are the caller's. Both files are replaced atomically; concurrent exports into one directory are not coordinated
 * (the last index written wins), as in the tools followed.
 *
 * <p>Immutable and thread-safe.
 */
public final class OciLayoutIndex {
    /** Which entries already in {@code index.json} an added one replaces. */
    public enum NameRule {
        /**
         * BuildKit's client ({@code client/ociindex} {@code insertDesc}): each added entry in turn removes the
         * entries, earlier added ones included, with both its {@code org.opencontainers.image.ref.name} and its
         * {@code io.containerd.image.name} (either possibly absent).
         */
        BUILDKIT {
            @Override
            List<Descriptor> merge(List<Descriptor> existing, List<Descriptor> added) {
                List<Descriptor> out = new ArrayList<>(existing);
                for (Descriptor entry : added) {
                    out.removeIf(d -> Objects.equals(refName(d), refName(entry))
                            && Objects.equals(d.annotations().get(Descriptor.CONTAINERD_NAME_ANNOTATION),
                            entry.annotations().get(Descriptor.CONTAINERD_NAME_ANNOTATION)));
                    out.add(entry);
                }
                return out;
            }
        },
        /**
         * skopeo's {@code oci:DIR:tag} transport: the entries already there with the
         * {@code org.opencontainers.image.ref.name} of an added one are removed, and every added one is appended.
         */
        SKOPEO {
            @Override
            List<Descriptor> merge(List<Descriptor> existing, List<Descriptor> added) {
                List<Descriptor> out = new ArrayList<>(existing);
                for (Descriptor entry : added) {
                    out.removeIf(d -> Objects.equals(refName(d), refName(entry)));
                }
                out.addAll(added);
                return out;
            }
        };

        /** The entries of an index that had {@code existing} after {@code added} are put into it, in order. */
        abstract List<Descriptor> merge(List<Descriptor> existing, List<Descriptor> added);

        private static String refName(Descriptor d) {
            return d.annotations().get(Descriptor.REF_NAME_ANNOTATION);
        }
    }

    private final Path dir;
    private final CanonicalJson json;

    private OciLayoutIndex(Path dir, CanonicalJson json) {
        this.dir = dir;
        this.json = json;
    }

    /** The index of the layout directory {@code dir}, whose documents {@code json} reads and writes. */
    public static OciLayoutIndex of(Path dir, CanonicalJson json) {
        return new OciLayoutIndex(Objects.requireNonNull(dir, "dir"), Objects.requireNonNull(json, "json"));
    }

    /** Returns {@code dir/index.json}. */
    public Path indexFile() {
        return dir.resolve("index.json");
    }

    /** Writes {@code dir/oci-layout} unless there is one (the directory must exist). */
    public void ensureLayoutFile() throws IOException {
        Path file = dir.resolve("oci-layout");
        if (!Files.exists(file)) {
            AtomicFiles.replaceShared(file, OciLayout.layoutFileBytes(), dir);
        }
    }

    /**
     * The entries of {@code index.json}, none when there is no such file.
     *
     * @throws LayerException if the file is not an image index
     */
    public List<Descriptor> entries() throws LayerException, IOException {
        Path index = indexFile();
        if (!Files.isRegularFile(index)) {
            return List.of();
        }
        return json.read(Files.readAllBytes(index), ImageIndex.class, index.toString()).manifests();
    }

    /**
     * Writes {@code index.json} with {@code existing} (as {@link #entries} read them) and {@code added} merged by
     * {@code rule}, and {@code oci-layout} unless there is one.
     */
    public void write(List<Descriptor> existing, List<Descriptor> added, NameRule rule) throws IOException {
        ensureLayoutFile();
        AtomicFiles.replaceShared(indexFile(), json.write(ImageIndex.oci(rule.merge(existing, added))), dir);
    }

    /** Reads the entries there are, then {@link #write}s them with {@code added} merged by {@code rule}. */
    public void add(List<Descriptor> added, NameRule rule) throws LayerException, IOException {
        write(entries(), added, rule);
    }
}
