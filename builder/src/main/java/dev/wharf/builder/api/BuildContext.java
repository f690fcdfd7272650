package dev.wharf.builder.api;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a build's context comes from, in the forms {@code docker build} accepts: a local directory, a tar stream
 * (standard input, {@code -}), a tar archive file, an http(s) URL of a tarball, or a git repository URL ({@code
 * https://host/repo.git#ref:subdir}, {@code git@host:repo.git}, {@code git://host/repo#ref}).
 *
 * <p>Only a {@link Directory} has {@code .dockerignore} applied: BuildKit applies it when it transfers local files
 * and not to remote or stdin contexts (docker/cli#2827, dockerui {@code MainContext}). A stream, an archive or a
 * URL that turns out not to be an archive is the Dockerfile itself, as in BuildKit.
 *
 * <p>All variants are immutable records; a {@link Stream} can be read by one build only.
 */
public sealed interface BuildContext {

    /** A local directory, used in place. */
    record Directory(Path path) implements BuildContext {
        public Directory {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * A tar stream, uncompressed or gzip/bzip2/xz/zstd (recognised by content), or a lone Dockerfile; the build
     * reads it to its end and does not close it.
     */
    record Stream(InputStream in) implements BuildContext {
        public Stream {
            Objects.requireNonNull(in, "in");
        }
    }

    /** A local tar archive file (any of the compressions of {@link Stream}); a wharf extension of docker's forms. */
    record Archive(Path file) implements BuildContext {
        public Archive {
            Objects.requireNonNull(file, "file");
        }
    }

    /** An http(s) URL of a tar archive (extracted) or of a Dockerfile (the context is then that one file). */
    record Url(String url) implements BuildContext {
        public Url {
            Objects.requireNonNull(url, "url");
        }
    }

    /** A git repository, cloned with depth 1; {@code #ref:subdir} picks the ref and the context directory. */
    record Git(String url) implements BuildContext {
        public Git {
            Objects.requireNonNull(url, "url");
        }
    }

    /** The context directory {@code path}. */
    static BuildContext directory(Path path) {
        return new Directory(path);
    }

    /**
     * The context a {@code docker build} argument names, in the docker CLI's order (cli/command/image/build.go):
     * {@code -} is {@code stdin}; an existing directory; a git URL (an http(s) URL ending in {@code .git}, or
     * starting with {@code git://}, {@code git@} or {@code github.com/}); another http(s) URL; then, as wharf's
     * extension, an existing file (a tarball).
     *
     * @throws IllegalArgumentException with docker's wording when the argument names nothing
     */
    static BuildContext parse(String argument, InputStream stdin) {
        if (argument.equals("-")) {
            return new Stream(stdin);
        }
        Path path = null;
        try {
            path = Path.of(argument);
        } catch (InvalidPathException e) {
            // Not a local path.
        }
        if (path != null && Files.isDirectory(path)) {
            return new Directory(path);
        }
        if (dev.wharf.context.sources.GitRemote.looksLikeGitUrl(argument)) {
            return new Git(argument);
        }
        if (argument.startsWith("http://") || argument.startsWith("https://")) {
            return new Url(argument);
        }
        if (path != null && Files.isRegularFile(path)) {
            return new Archive(path);
        }
        throw new IllegalArgumentException("unable to prepare context: path \"" + argument + "\" not found");
    }
}
