package dev.wharf.layers.blob;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.OciLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link BlobStore} on the local filesystem, rooted at a directory that is an OCI image layout.
 *
 * <p>Immutable and thread-safe; several processes may use one root at once. Blob writes need no lock: each writer
 * stages its own file and publishes with an atomic, non-replacing link. {@link #open(Path, BlobStoreOptions)}
 * creates the layout on first use and sweeps staged files abandoned by crashed writers.
 */
public final class FileBlobStore implements BlobStore {
    private static final Pattern LAYOUT_VERSION =
            Pattern.compile("\"imageLayoutVersion\"\\s*:\\s*\"([^\"]*)\"");

    private final OciLayout layout;
    private final Clock clock;

    private FileBlobStore(OciLayout layout, Clock clock) {
        this.layout = layout;
        this.clock = clock;
    }

    /** Opens (creating if needed) the store at {@code root} with default options. */
    public static FileBlobStore open(Path root) throws LayerException {
        return open(root, BlobStoreOptions.defaults());
    }

    /**
     * Opens (creating if needed) the store at {@code root}: makes {@code blobs/sha256} and {@code ingest/}, writes
     * {@code oci-layout} if missing (or checks its version if present), and deletes staged files in
     * {@code ingest/} older than {@link BlobStoreOptions#staleIngestAge()}.
     *
     * @throws LayerException if the directory cannot be created or holds an incompatible layout
     */
    public static FileBlobStore open(Path root, BlobStoreOptions options) throws LayerException {
        OciLayout layout = OciLayout.at(root);
        try {
            Files.createDirectories(layout.blobDir(DigestAlgorithm.SHA256));
            Files.createDirectories(layout.ingestDir());
            ensureLayoutFile(layout);
            new IngestSweeper(layout.ingestDir(), options.clock(), options.staleIngestAge()).sweep();
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot open the store at " + layout.root() + ": " + e.getMessage()
                    + "; check that the directory is writable, or choose another root (--root or WHARF_ROOT)", e);
        }
        return new FileBlobStore(layout, options.clock());
    }

    private static void ensureLayoutFile(OciLayout layout) throws IOException {
        Path file = layout.layoutFile();
        if (!Files.exists(file)) {
            try {
                AtomicFiles.replace(file, OciLayout.layoutFileBytes(), layout.ingestDir());
            } catch (IOException e) {
                if (!Files.exists(file)) {
                    throw e;
                }
            }
            return;
        }
        // Bytes, decoded leniently: a damaged file (garbage, zeroed blocks) failed as "Input length = 3", naming no
        // file. Only the head is read: a layout file is one short line.
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes(4096);
        }
        String text = new String(head, StandardCharsets.UTF_8);
        var matcher = LAYOUT_VERSION.matcher(text);
        if (!matcher.find() || !matcher.group(1).startsWith("1.")) {
            throw new LayerException(file + " does not declare OCI image layout version 1.x (found: "
                    + printable(text) + "); this directory is not a wharf store, choose another root (if it is one "
                    + "whose file was damaged, write " + OciLayout.LAYOUT_FILE_CONTENT + " into it)");
        }
    }

    /** At most 80 characters of {@code text}, stripped, with control and undecodable characters as '?'. */
    private static String printable(String text) {
        String stripped = text.strip();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < stripped.length() && out.length() < 80; i++) {
            char c = stripped.charAt(i);
            out.append(Character.isISOControl(c) || c == '\uFFFD' ? '?' : c);
        }
        return stripped.length() > 80 ? out + "..." : out.toString();
    }

    /** Returns the layout (paths) of this store. */
    public OciLayout layout() {
        return layout;
    }

    /** Returns the clock this store reads time from. */
    public Clock clock() {
        return clock;
    }

    /**
     * Hashes the small blob in memory first: when the store already has it (a cached rebuild writes the same config
     * and manifest again), only its commit time is refreshed, as a writer that loses the publish race does, and no
     * staged file is written and fsynced.
     */
    @Override
    public BlobInfo put(byte[] content) throws LayerException {
        Digest digest = Digest.sha256Of(content);
        Path file = layout.blob(digest);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isRegularFile() && attributes.size() == content.length) {
                FileTime committed = FileTime.from(clock.instant());
                try {
                    Files.setLastModifiedTime(file, committed);
                } catch (IOException e) {
                    // Not the owner of the file (shared store): the blob is still valid; GC protection is weaker.
                    committed = attributes.lastModifiedTime();
                }
                return new BlobInfo(digest, content.length, committed.toInstant());
            }
        } catch (NoSuchFileException e) {
            // Not stored yet: written below.
        } catch (IOException e) {
            // Unreadable entry: the writer below reports what is wrong, or replaces nothing and succeeds.
        }
        return BlobStore.super.put(content);
    }

    @Override
    public BlobWriter writer(DigestAlgorithm algorithm) throws LayerException {
        return new FileBlobWriter(layout, clock, algorithm);
    }

    @Override
    public InputStream open(Digest digest) throws LayerException {
        Path file = layout.blob(digest);
        try {
            InputStream in = Files.newInputStream(file);
            long size;
            try {
                size = Files.size(file);
            } catch (IOException e) {
                in.close();
                throw e;
            }
            return new VerifyingInputStream(in, digest, size, file);
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(digest, layout.root().toString());
        } catch (IOException e) {
            throw new LayerException("cannot open blob " + digest + " at " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<BlobInfo> info(Digest digest) throws LayerException {
        Path file = layout.blob(digest);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(new BlobInfo(digest, attributes.size(), attributes.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new LayerException("cannot stat blob " + digest + " at " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets the blob's commit time to now, as if it had just been written, so that a garbage collection keeps it as a
     * running build's blob (see {@code GarbageCollector}); one metadata update, the content is not read.
     *
     * @return whether the blob is stored; a blob whose time cannot be changed (not its owner, in a shared store) is
     *     still reported as stored, with weaker protection, as {@link #put} does
     */
    public boolean touch(Digest digest) throws LayerException {
        Path file = layout.blob(digest);
        try {
            Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return exists(digest);
        }
    }

    @Override
    public boolean exists(Digest digest) throws LayerException {
        return info(digest).isPresent();
    }

    @Override
    public boolean delete(Digest digest) throws LayerException {
        Path file = layout.blob(digest);
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new LayerException("cannot delete blob " + digest + " at " + file + ": " + e.getMessage()
                    + "; check permissions of " + file.getParent(), e);
        }
    }

    @Override
    public void walk(BlobVisitor visitor) throws LayerException {
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            Path dir = layout.blobDir(algorithm);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Digest> digests = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    parseBlobName(algorithm, entry.getFileName().toString()).ifPresent(digests::add);
                }
            } catch (IOException e) {
                throw new LayerException("cannot list blobs in " + dir + ": " + e.getMessage(), e);
            }
            digests.sort(null);
            for (Digest digest : digests) {
                Optional<BlobInfo> info = info(digest);
                if (info.isPresent()) {
                    visitor.visit(info.get());
                }
            }
        }
    }

    /** Files in a blob directory whose names are not digests (e.g. put there by hand) are not blobs: skip them. */
    private static Optional<Digest> parseBlobName(DigestAlgorithm algorithm, String name) {
        try {
            return Optional.of(Digest.of(algorithm, name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "FileBlobStore[" + layout.root() + "]";
    }
}
