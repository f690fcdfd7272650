package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.posix.PosixFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A build context given as a tar stream ({@code docker build -} reads it from stdin) or a tar archive file,
 * uncompressed or compressed with gzip, bzip2, xz or zstd (recognised by content, as the docker CLI's {@code
 * GetContextFromReader} does). Opening extracts it into a new temporary directory under the work directory; closing
 * deletes that directory.
 *
 * <p>Extraction is {@link LayerApplier}'s, so every entry is confined to the root: names with {@code ..} above it
 * are refused, absolute names are taken relative to it, and symlinks met on the way are resolved inside it.
 * Deviation: LayerApplier reads {@code .wh.} entries as OCI whiteouts, where docker's Untar writes them as files;
 * a context holding such names is not reproduced exactly.
 *
 * <p>When the stream is not an archive and {@link #dockerfileFallback} is set (the stdin case), the docker CLI's
 * rule applies: the stream is a Dockerfile, and the context is a directory holding only it, named {@code
 * Dockerfile}. A compressed stream that holds no tar is not a Dockerfile: the context holds it as the single file
 * {@code context}, as BuildKit's does.
 *
 * <p>Thread-safe; a stream source may be opened only once (a second open is a programmer error).
 */
public final class TarContextSource implements BuildContextSource {

    /**
     * How much of a compressed stream is kept to be written as it came when it holds no tar: enough for the first
     * 512 bytes out of any decompressor (a bzip2 block is at most 900kB).
     */
    private static final int UNPACK_ATTEMPT = 4 * 1024 * 1024;

    private final InputStream stream;
    private final Path archive;
    private final Path workDir;
    private final PosixFiles posix;
    private final boolean dockerfileFallback;
    private final AtomicBoolean opened = new AtomicBoolean();

    private TarContextSource(InputStream stream, Path archive, Path workDir, PosixFiles posix,
            boolean dockerfileFallback) {
        this.stream = stream;
        this.archive = archive;
        this.workDir = Objects.requireNonNull(workDir, "workDir");
        this.posix = Objects.requireNonNull(posix, "posix");
        this.dockerfileFallback = dockerfileFallback;
    }

    /**
     * The context {@code docker build -} reads: a (compressed) tar, or else a lone Dockerfile. The caller keeps
     * ownership of {@code stdin}; it is read to its end but not closed.
     */
    public static TarContextSource stdin(InputStream stdin, Path workDir, PosixFiles posix) {
        return new TarContextSource(Objects.requireNonNull(stdin, "stdin"), null, workDir, posix, true);
    }

    /** A context read from a tar stream that must be an archive; the stream is read to its end but not closed. */
    public static TarContextSource stream(InputStream in, Path workDir, PosixFiles posix) {
        return new TarContextSource(Objects.requireNonNull(in, "in"), null, workDir, posix, false);
    }

    /** A context read from a (compressed) tar archive file; may be opened any number of times. */
    public static TarContextSource archive(Path file, Path workDir, PosixFiles posix) {
        return new TarContextSource(null, Objects.requireNonNull(file, "file"), workDir, posix, false);
    }

    /** Whether a stream that is not an archive is taken as a Dockerfile. */
    public boolean dockerfileFallback() {
        return dockerfileFallback;
    }

    /**
     * @throws ContextException when the stream is not an archive (and no Dockerfile fallback applies), is
     *                          corrupted or truncated, holds an entry that would escape the root, or cannot be
     *                          written
     */
    @Override
    public OpenedContext open() throws ContextException {
        if (stream != null && !opened.compareAndSet(false, true)) {
            throw new IllegalStateException("a context stream can be read only once");
        }
        return TempContexts.open(workDir, "context-tar-", temp -> {
            if (stream != null) {
                extract(new NonClosing(stream), temp);
            } else {
                try (InputStream in = Files.newInputStream(archive)) {
                    extract(in, temp);
                } catch (IOException e) {
                    throw new ContextException("cannot read context archive " + archive + ": " + e.getMessage(), e);
                }
            }
            return OpenedContext.owned(temp, temp);
        });
    }

    private void extract(InputStream raw, Path root) throws ContextException {
        String what = archive != null ? "context archive " + archive : "context stream";
        try {
            BufferedInputStream buffered = new BufferedInputStream(raw, 64 * 1024);
            ArchiveFormat format = ArchiveFormat.detect(buffered);
            if (format == ArchiveFormat.NOT_AN_ARCHIVE) {
                if (!dockerfileFallback) {
                    throw new ContextException(what + " is not a tar archive (uncompressed, gzip, bzip2, xz or zstd)");
                }
                // cli/command/image/build/context.go GetContextFromReader: not an archive means a Dockerfile.
                try (var out = Files.newOutputStream(root.resolve("Dockerfile"))) {
                    buffered.transferTo(out);
                }
                return;
            }
            if (format != ArchiveFormat.TAR) {
                buffered.mark(UNPACK_ATTEMPT);
            }
            try (InputStream tar = new BufferedInputStream(format.decompress(
                    new BufferedInputStream(new NonClosing(buffered))), 64 * 1024)) {
                if (format != ArchiveFormat.TAR && !startsWithTar(tar)) {
                    keepAsFile(buffered, root);
                    return;
                }
                new LayerApplier(posix).apply(tar, root);
            }
        } catch (LayerException e) {
            throw new ContextException("cannot extract " + what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ContextException("cannot read " + what + " (corrupted or truncated?): "
                    + Decompressors.reason(e), e);
        }
    }

    /** Whether {@code in} starts with a tar header, leaving it where it was. */
    private static boolean startsWithTar(InputStream in) throws IOException {
        in.mark(512);
        byte[] head = in.readNBytes(512);
        in.reset();
        return ArchiveFormat.isTarHeader(head);
    }

    /**
     * A compressed stream holding no tar, as BuildKit's context upload takes it: dockerd stores the upload as the
     * file {@code context} and copies it with {@code AttemptUnpack} ({@code copy /context /}), which decompresses,
     * finds no tar header and copies the file as it came. The context then holds {@code context} (its bytes still
     * compressed) and no Dockerfile, so the build fails as BuildKit's does ({@code failed to read dockerfile: open
     * Dockerfile: no such file or directory}); the docker CLI and buildx never read a compressed stream as a
     * Dockerfile.
     */
    private static void keepAsFile(BufferedInputStream raw, Path root) throws IOException {
        try {
            raw.reset();
        } catch (IOException e) {
            throw new IOException("a compressed context stream holds no tar archive", e);
        }
        try (var out = Files.newOutputStream(root.resolve("context"))) {
            raw.transferTo(out);
        }
    }

    /** Keeps the caller's stream open when the decompressor chain is closed. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // The caller owns stdin.
        }
    }
}
