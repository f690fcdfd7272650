package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import dev.wharf.layers.posix.PosixFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Chooses the source of the main build context from the command-line argument, in the docker CLI's order
 * (cli/command/image/build.go {@code runBuild}): {@code -} is stdin (a tar or a lone Dockerfile), then an existing
 * local directory, then a git URL; other URLs (remote tarballs) are not supported yet; anything else is a missing
 * path. Stateless and thread-safe.
 */
public final class ContextSources {

    private ContextSources() {
    }

    /**
     * The source for {@code argument}.
     *
     * @param stdin read only when the argument is {@code -}
     * @param workDir where extracted and cloned contexts are put (a temporary directory each)
     * @param posix used to extract archives
     * @throws ContextException with the docker CLI's wording when the argument names nothing usable
     */
    public static BuildContextSource forArgument(String argument, InputStream stdin, Path workDir, PosixFiles posix)
            throws ContextException {
        if (argument.equals("-")) {
            return TarContextSource.stdin(stdin, workDir, posix);
        }
        Path path = asPath(argument);
        if (path != null && Files.isDirectory(path)) {
            return new LocalDirectorySource(path);
        }
        if (GitRemote.looksLikeGitUrl(argument)) {
            return new GitContextSource(GitRemote.parse(argument), workDir);
        }
        if (argument.startsWith("http://") || argument.startsWith("https://")) {
            throw new ContextException("unable to prepare context: remote URL contexts (" + argument
                    + ") are not supported yet; download the archive and pass it on stdin with -");
        }
        throw new ContextException("unable to prepare context: path \"" + argument + "\" not found");
    }

    private static Path asPath(String argument) {
        try {
            return Path.of(argument);
        } catch (java.nio.file.InvalidPathException e) {
            return null; // a NUL byte: not a local path, maybe a URL
        }
    }
}
