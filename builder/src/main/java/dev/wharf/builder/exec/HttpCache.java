package dev.wharf.builder.exec;

import dev.wharf.context.sources.HttpDownloader;
import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.blob.BlobWriter;
import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * What BuildKit's HTTP source remembers of a download so that a rebuild revalidates instead of downloading again
 * (source/http/source.go: the ETag and content digest stored per hash of URL and file name, sent back as {@code
 * If-None-Match}): one small file per URL under {@code <store>/http-etags/}, holding the ETag, the content's digest
 * and its Last-Modified; the content itself is a blob of the store, so {@code wharf prune} may remove it, after
 * which the next build simply downloads again.
 *
 * <p>Thread-safe: records are replaced atomically, and a record whose blob is gone is ignored.
 */
final class HttpCache {
    /** A remembered download. */
    record Entry(String etag, Digest digest, Optional<Instant> lastModified) {
    }

    private final Path dir;
    private final BlobStore blobs;

    HttpCache(Path dir, BlobStore blobs) {
        this.dir = dir;
        this.blobs = blobs;
    }

    /** The remembered download of {@code url} saved as {@code fileName}, if its content is still stored. */
    Optional<Entry> lookup(String url, String fileName) {
        try {
            List<String> lines = Files.readAllLines(file(url, fileName), StandardCharsets.UTF_8);
            if (lines.size() < 3 || lines.get(0).isEmpty()) {
                return Optional.empty();
            }
            Entry e = new Entry(lines.get(0), Digest.parse(lines.get(1)),
                    lines.get(2).isEmpty() ? Optional.empty() : Optional.of(Instant.parse(lines.get(2))));
            if (!blobs.exists(e.digest())) {
                return Optional.empty();
            }
            LastUse.markQuietly(file(url, fileName));
            return Optional.of(e);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            return Optional.empty(); // A damaged record only costs a download.
        }
    }

    /** Remembers a download that came with an ETag: its content into the blobs, then the record. */
    void remember(String url, String fileName, HttpDownloader.Download d) throws IOException {
        if (d.etag().isEmpty() || d.etag().get().contains("\n")) {
            return;
        }
        if (!blobs.exists(d.digest())) {
            try (BlobWriter w = blobs.writer(DigestAlgorithm.SHA256); InputStream in = Files.newInputStream(d.file())) {
                in.transferTo(w);
                w.commit(d.size(), d.digest());
            }
        }
        Files.createDirectories(dir);
        String record = d.etag().get() + "\n" + d.digest() + "\n"
                + d.lastModified().map(Instant::toString).orElse("") + "\n";
        AtomicFiles.replace(file(url, fileName), record.getBytes(StandardCharsets.UTF_8), dir);
    }

    /** Writes the remembered content to {@code target}. */
    void restore(Entry entry, Path target) throws LayerException, IOException {
        try (InputStream in = blobs.open(entry.digest())) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path file(String url, String fileName) {
        // BuildKit's urlHash covers the URL and the file name.
        return dir.resolve(Digest.sha256Of((url + "\0" + fileName).getBytes(StandardCharsets.UTF_8)).hex());
    }
}
