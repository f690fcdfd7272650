package dev.wharf.layers.archive;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.blob.BlobWriter;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contents of an archive file ({@code docker save} output or an OCI archive, optionally gzip- or
 * zstd-compressed as {@code docker load} accepts), read in one pass: the top-level documents
 * ({@code manifest.json}, {@code index.json}, {@code oci-layout}, {@code repositories}) are kept in memory, and
 * every other regular file is streamed into the blob store as it passes. Entries named {@code blobs/<alg>/<hex>}
 * are verified against that digest while they are stored, so a mismatch is reported with the entry's name.
 *
 * <p>One pass matters because {@code docker save} writes {@code manifest.json} last. Files that no image refers to
 * (e.g. the legacy {@code <id>/json} files, which are skipped outright, or stray files) cost store space only until
 * the next garbage collection. Not thread-safe.
 */
final class TarArchiveContents implements ArchiveContents {
    private static final long MAX_DOCUMENT = 4L * 1024 * 1024;
    private static final Set<String> DOCUMENTS = Set.of("manifest.json", "index.json", "oci-layout", "repositories");
    private static final Pattern BLOB_NAME = Pattern.compile("blobs/([a-z0-9]+)/([0-9a-f]+)");
    private static final int MAX_LINK_HOPS = 40;

    private final String description;
    private final BlobStore store;
    private final Map<String, byte[]> documents = new HashMap<>();
    private final Map<String, BlobInfo> stored = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();

    private TarArchiveContents(String description, BlobStore store) {
        this.description = description;
        this.store = store;
    }

    /**
     * Reads the archive at {@code file}, storing its files into {@code store}.
     *
     * @throws LayerException if the file is not a (compressed) tar, an entry name or link leaves the archive, an
     *     entry appears twice or has a type an image archive never holds, or a blob does not match its name
     */
    static TarArchiveContents read(Path file, BlobStore store) throws LayerException {
        TarArchiveContents contents = new TarArchiveContents("archive " + file, store);
        try (InputStream in = Decompressors.open(Files.newInputStream(file))) {
            contents.scan(new TarReader(in));
        } catch (NoSuchFileException e) {
            throw new LayerException("cannot read archive " + file + ": no such file", e);
        } catch (LayerException e) {
            throw new LayerException(contents.describe() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new LayerException("cannot read archive " + file + ": " + e.getMessage()
                    + "; is it a tar made by docker save, skopeo or wharf save?", e);
        }
        return contents;
    }

    private void scan(TarReader tar) throws IOException {
        Set<String> seen = new HashSet<>();
        Optional<TarEntry> next;
        while ((next = tar.next()).isPresent()) {
            TarEntry entry = next.get();
            String name = EntryNames.clean(entry.name(), "entry");
            if (name.isEmpty()) {
                continue;
            }
            if (!seen.add(name)) {
                throw new LayerException("the entry " + EntryNames.quote(name) + " appears twice; refusing an "
                        + "ambiguous archive");
            }
            switch (entry.type()) {
                case DIRECTORY -> {
                    // Directories carry nothing an image needs.
                }
                case SYMLINK -> links.put(name, EntryNames.resolveLink(name, entry.linkName(), "entry"));
                case HARDLINK -> links.put(name, EntryNames.clean(entry.linkName(), "hard link " + name));
                case REGULAR -> readFile(name, entry, tar.content());
                default -> throw new LayerException("the entry " + EntryNames.quote(name) + " is a "
                        + entry.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + ", which image archives never contain; refusing the archive");
            }
        }
    }

    private void readFile(String name, TarEntry entry, InputStream content) throws IOException {
        if (DOCUMENTS.contains(name)) {
            if (entry.size() > MAX_DOCUMENT) {
                throw new LayerException(name + " is " + entry.size() + " bytes, more than the " + MAX_DOCUMENT
                        + " allowed; the archive is malformed");
            }
            documents.put(name, content.readAllBytes());
            return;
        }
        // Legacy per-layer metadata of docker save before 25 (<id>/json, <id>/VERSION); images use manifest.json.
        if (name.matches("[^/]+/(json|VERSION)")) {
            return;
        }
        Digest expected = null;
        DigestAlgorithm algorithm = DigestAlgorithm.SHA256;
        Matcher blob = BLOB_NAME.matcher(name);
        if (blob.matches()) {
            Optional<DigestAlgorithm> named = DigestAlgorithm.byOciName(blob.group(1));
            if (named.isPresent() && blob.group(2).length() == named.get().hexLength()) {
                algorithm = named.get();
                expected = Digest.of(algorithm, blob.group(2));
            }
        }
        try (BlobWriter writer = store.writer(algorithm)) {
            content.transferTo(writer);
            try {
                stored.put(name, writer.commit(entry.size(), expected));
            } catch (LayerException e) {
                throw new LayerException("the entry " + name + " does not match the digest its name gives: "
                        + e.getMessage() + "; the archive is corrupted or was tampered with", e);
            }
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean has(String path) throws LayerException {
        String resolved = resolve(path);
        return documents.containsKey(resolved) || stored.containsKey(resolved);
    }

    @Override
    public byte[] read(String path, long maxSize) throws LayerException {
        String resolved = resolve(path);
        byte[] document = documents.get(resolved);
        if (document != null) {
            return document;
        }
        BlobInfo info = stored.get(resolved);
        if (info == null) {
            throw missing(path);
        }
        return store.readAllBytes(info.digest(), maxSize);
    }

    @Override
    public BlobInfo blob(String path, Digest expected) throws LayerException {
        String resolved = resolve(path);
        BlobInfo info = stored.get(resolved);
        if (info == null) {
            throw missing(path);
        }
        if (expected != null && !expected.equals(info.digest())) {
            throw new LayerException(description + ": " + path + " has digest " + info.digest() + " but "
                    + expected + " is expected; the archive is corrupted or was tampered with");
        }
        return info;
    }

    private LayerException missing(String path) {
        return new LayerException(description + " lacks " + path + ", which its index or manifest refers to; "
                + "the archive is incomplete (was it cut short or edited?)");
    }

    /** Cleans the path and follows links inside the archive. */
    private String resolve(String path) throws LayerException {
        String current = EntryNames.clean(path, description + ": path");
        for (int hops = 0; hops < MAX_LINK_HOPS; hops++) {
            String target = links.get(current);
            if (target == null) {
                return current;
            }
            current = target;
        }
        throw new LayerException(description + ": " + path + " is a chain of more than " + MAX_LINK_HOPS
                + " links (a loop?); refusing the archive");
    }
}
