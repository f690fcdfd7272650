package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import dev.wharf.layers.posix.PosixFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A build context downloaded from an http(s) URL, as BuildKit's dockerui does for a remote context
 * (frontend/dockerui/context.go {@code DetectHTTPContext}): the body is saved as a file named {@code context}; when
 * it is an archive (tar, gzip, bzip2, xz or zstd by content) it is extracted and the extraction is the context,
 * otherwise the file itself is the Dockerfile and the context holds only it.
 *
 * <p>Immutable and thread-safe; each open downloads again into a new temporary directory, deleted on close.
 *
 * @param url      the URL
 * @param workDir  where the temporary directories go
 * @param posix    used to extract archives
 * @param http     the downloader
 * @param authorization the {@code Authorization} header to send (from an {@code HTTP_AUTH_*} build secret)
 */
public record UrlContextSource(String url, Path workDir, PosixFiles posix, HttpDownloader http,
                               java.util.Optional<String> authorization)
        implements BuildContextSource {

    /** A source sending no credentials. */
    public UrlContextSource(String url, Path workDir, PosixFiles posix, HttpDownloader http) {
        this(url, workDir, posix, http, java.util.Optional.empty());
    }

    @Override
    public String toString() {
        return "UrlContextSource[url=" + url + ", workDir=" + workDir + ", authorization="
                + (authorization.isPresent() ? "****" : "none") + "]";
    }

    /** The file name BuildKit gives a remote context. */
    public static final String FILE_NAME = "context";

    public UrlContextSource {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(posix, "posix");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(authorization, "authorization");
    }

    /**
     * @throws ContextException when the download fails (status, host, network) or the archive cannot be extracted
     */
    @Override
    public OpenedContext open() throws ContextException {
        return TempContexts.open(workDir, "context-url-", temp -> {
            Path dir = createDirectory(temp.resolve("download"));
            Path file = dir.resolve(FILE_NAME);
            try {
                http.download(url, file, authorization);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContextException("interrupted while downloading " + url, e);
            }
            if (!isArchive(file)) {
                return OpenedContext.ownedWithDockerfile(dir, temp, FILE_NAME);
            }
            OpenedContext extracted = TarContextSource.archive(file, temp, posix).open();
            return OpenedContext.owned(extracted.root(), temp);
        });
    }

    private static Path createDirectory(Path dir) throws ContextException {
        try {
            return Files.createDirectory(dir);
        } catch (IOException e) {
            throw new ContextException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isArchive(Path file) throws ContextException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1024)) {
            return ArchiveFormat.detect((BufferedInputStream) in) != ArchiveFormat.NOT_AN_ARCHIVE;
        } catch (IOException e) {
            throw new ContextException("cannot read the downloaded context " + file + ": " + e.getMessage(), e);
        }
    }
}
