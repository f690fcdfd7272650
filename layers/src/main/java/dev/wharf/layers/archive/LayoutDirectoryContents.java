package dev.wharf.layers.archive;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.blob.BlobWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The contents of an archive unpacked into a directory (an OCI image layout, or an extracted {@code docker save}
 * tarball): files are read where they are and copied into the blob store only when an image refers to them, each
 * verified against its expected digest while it is copied.
 *
 * <p>Not thread-safe. Paths are cleaned before use, so they never leave the directory by {@code ..}.
 */
final class LayoutDirectoryContents implements ArchiveContents {
    private final Path root;
    private final BlobStore store;

    LayoutDirectoryContents(Path root, BlobStore store) {
        this.root = root;
        this.store = store;
    }

    @Override
    public String describe() {
        return "directory " + root;
    }

    @Override
    public boolean has(String path) throws LayerException {
        return Files.isRegularFile(file(path));
    }

    @Override
    public byte[] read(String path, long maxSize) throws LayerException {
        Path file = file(path);
        try {
            long size = Files.size(file);
            if (size > maxSize) {
                throw new LayerException(describe() + ": " + path + " is " + size + " bytes, more than the "
                        + maxSize + " allowed for this document; the layout is malformed");
            }
            return Files.readAllBytes(file);
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw missing(path, e);
        }
    }

    @Override
    public BlobInfo blob(String path, Digest expected) throws LayerException {
        Path file = file(path);
        if (!Files.isRegularFile(file)) {
            throw missing(path, null);
        }
        try (InputStream in = Files.newInputStream(file);
                BlobWriter writer = expected == null ? store.writer() : store.writer(expected.algorithm())) {
            in.transferTo(writer);
            try {
                return writer.commit(-1, expected);
            } catch (LayerException e) {
                throw new LayerException(describe() + ": " + path + " does not match its digest: " + e.getMessage()
                        + "; the layout is corrupted or was tampered with", e);
            }
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException(describe() + ": cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private Path file(String path) throws LayerException {
        return root.resolve(EntryNames.clean(path, describe() + ": path"));
    }

    private LayerException missing(String path, IOException cause) {
        return new LayerException(describe() + " lacks " + path + ", which its index or manifest refers to; "
                + "the layout is incomplete", cause);
    }
}
