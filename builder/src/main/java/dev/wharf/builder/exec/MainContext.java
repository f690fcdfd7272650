package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildContext;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.EngineException;
import dev.wharf.context.ContextException;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.sources.BuildContextSource;
import dev.wharf.context.sources.GitRemote;
import dev.wharf.context.sources.HttpDownloader;
import dev.wharf.context.sources.LocalDirectorySource;
import dev.wharf.context.sources.MissingGitRefException;
import dev.wharf.context.sources.OpenedContext;
import dev.wharf.context.sources.TarContextSource;
import dev.wharf.context.sources.UrlContextSource;
import dev.wharf.grammar.DockerfileLocation;
import dev.wharf.grammar.DockerfileText;
import dev.wharf.grammar.go.GoNumbers;
import dev.wharf.grammar.go.GoPathErrors;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The main build context of one build, opened as a local directory (extracted, downloaded or cloned as the
 * request's {@link BuildContext} says), with the Dockerfile's text: {@code -f}'s text, else the file {@code -f}
 * names (a host path for a directory context, a path inside the context otherwise, as BuildKit's {@code filename}),
 * else {@code Dockerfile} in the context. A git context keeps {@code .git} when the build arg {@code
 * BUILDKIT_CONTEXT_KEEP_GIT_DIR} is true, as in BuildKit; its checkout is the store's ({@link GitContextCheckouts}).
 * Closing deletes what opening created.
 *
 * <p>Not thread-safe; one per build.
 */
final class MainContext implements AutoCloseable {
    private final OpenedContext opened;
    private final boolean local;
    private final Optional<Path> dockerfile;
    private final String dockerfileText;

    private MainContext(OpenedContext opened, boolean local, Optional<Path> dockerfile, String dockerfileText) {
        this.opened = opened;
        this.local = local;
        this.dockerfile = dockerfile;
        this.dockerfileText = dockerfileText;
    }

    /** Opens the request's context under {@code workDir} and reads its Dockerfile. */
    static MainContext open(BuildRequest request, Path workDir, PosixFiles posix, HttpDownloader http,
                            GitContextCheckouts checkouts) throws EngineException {
        BuildContext context = request.context();
        OpenedContext opened;
        try {
            // A git context's checkout of a commit is kept in the store and reused: no clone for a seen commit.
            opened = context instanceof BuildContext.Git git
                    ? openGit(GitRemote.parse(git.url()), request, workDir, checkouts)
                    : source(context, workDir, posix, http, request.secrets()).open();
        } catch (MissingGitRefException e) {
            // dockerui reads the Dockerfile from the git source, so the source's error comes wrapped by the frontend
            // and the solver, without a Dockerfile location (buildx 0.13.1: "ERROR: failed to solve: failed to read
            // dockerfile: failed to load cache key: repository does not contain ref nope, output: \"\"").
            throw new BuildFailedException("[internal] load git source " + ((BuildContext.Git) context).url(),
                    "Dockerfile", 0, null, "failed to read dockerfile: failed to load cache key: " + e.getMessage(), e,
                    false);
        } catch (HttpDownloader.Failure e) {
            // dockerui reads the first bytes of the llb.HTTP download to tell an archive from a Dockerfile: "failed
            // to read downloaded context: failed to load cache key: invalid response status 404", the URL unnamed.
            throw new BuildFailedException("[internal] load remote build context", "Dockerfile", 0, null,
                    "failed to read downloaded context: failed to load cache key: " + e.goReason(), e, false);
        } catch (ContextException e) {
            throw new EngineException(e.getMessage(), e);
        }
        try {
            boolean local = context instanceof BuildContext.Directory;
            Optional<Path> file;
            if (opened.dockerfileName().isPresent()) {
                file = Optional.of(opened.root().resolve(opened.dockerfileName().get()));
            } else if (local && request.dockerfile().isEmpty() && request.dockerfileText().isEmpty()) {
                // The default Dockerfile is a file too, so Dockerfile.dockerignore beside it wins over .dockerignore
                // (dockerui's ReadEntrypoint reads <filename>.dockerignore with it); its lowercase fallback is
                // "dockerfile", whose ignore file is dockerfile.dockerignore, as buildx's handleLowercaseDockerfile
                // names the file it sends.
                file = Optional.of(DockerfileLocation.resolve(opened.root().resolve("Dockerfile")));
            } else if (local) {
                file = request.dockerfile();
            } else {
                file = request.dockerfile().map(p -> inside(opened.root(), p.toString()));
            }
            String text = request.dockerfileText().isPresent() && opened.dockerfileName().isEmpty()
                    ? request.dockerfileText().get()
                    : read(file.orElse(opened.root().resolve("Dockerfile")), local, opened.root());
            return new MainContext(opened, local, file, text);
        } catch (EngineException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** dockerui's {@code BUILDKIT_CONTEXT_KEEP_GIT_DIR} build arg, a Go ParseBool; anything else is false. */
    private static boolean keepGitDir(BuildRequest request) {
        String v = request.buildArgs().getOrDefault("BUILDKIT_CONTEXT_KEEP_GIT_DIR", "");
        return GoNumbers.parseBool(v).orElse(false);
    }

    /** dockerui fetches a git context with llb.Git, which reads the same GIT_AUTH_* secrets as ADD does. */
    private static OpenedContext openGit(GitRemote remote, BuildRequest request, Path workDir,
                                         GitContextCheckouts checkouts) throws ContextException {
        return checkouts.open(remote, keepGitDir(request), workDir,
                GitAuthSecrets.authorization(remote.remote(), request.secrets()));
    }

    private static BuildContextSource source(BuildContext context, Path workDir, PosixFiles posix,
                                             HttpDownloader http, java.util.Map<String, Path> secrets)
            throws ContextException {
        if (context instanceof BuildContext.Directory dir) {
            return new LocalDirectorySource(dir.path());
        }
        if (context instanceof BuildContext.Stream stream) {
            return TarContextSource.stdin(stream.in(), workDir, posix);
        }
        if (context instanceof BuildContext.Archive archive) {
            return TarContextSource.archive(archive.file(), workDir, posix);
        }
        // dockerui fetches a URL context with llb.HTTP, which sends the HTTP_AUTH_* secrets of its host.
        String url = ((BuildContext.Url) context).url();
        return new UrlContextSource(url, workDir, posix, http, HttpAuthSecrets.authorization(url, secrets));
    }

    /** A path inside the context, cleaned so that {@code ..} cannot leave it. */
    static Path inside(Path root, String path) {
        String clean = GoPaths.clean("/" + path).substring(1);
        return clean.isEmpty() ? root : root.resolve(clean);
    }

    /**
     * Reads the Dockerfile with its symlinks resolved inside its directory (a local one: what buildx sends as the
     * Dockerfile's own local source, through fsutil's FollowLinks) or inside the context (a tar, URL or git one,
     * which BuildKit reads from the context's snapshot): a link that leads out of it finds nothing, as in BuildKit,
     * and never reads a file of the host.
     */
    private static String read(Path file, boolean local, Path contextRoot) throws EngineException {
        try {
            Path located = DockerfileLocation.resolve(file).toAbsolutePath();
            Path root = local ? located.getParent() : contextRoot.toAbsolutePath();
            return DockerfileText.read(ConfinedPaths.resolve(root, root.relativize(located).toString()));
        } catch (IOException e) {
            // BuildKit's words (dockerui: "failed to read dockerfile: open Dockerfile: no such file or directory",
            // the file named as the client sent it), a failure of the solve as in BuildKit, whose frontend reads
            // it; the step names where wharf looked.
            String name = String.valueOf(file.getFileName());
            String reason = GoPathErrors.message(Files.isDirectory(file) ? "read" : "open", name, e);
            throw new BuildFailedException("[internal] load build definition from "
                    + (local ? file : name + " in the build context"), name, 0, null,
                    "failed to read dockerfile: " + reason, e);
        }
    }

    /** Whether the context was unpacked from an archive it came as (else it is the Dockerfile alone). */
    boolean unpacked() {
        return opened.dockerfileName().isEmpty();
    }

    /** The directory COPY reads. */
    Path root() {
        return opened.root();
    }

    /** Whether this is a local directory, the one kind {@code .dockerignore} applies to. */
    boolean local() {
        return local;
    }

    /** The Dockerfile's path, when it is a file (for the {@code <Dockerfile>.dockerignore} lookup). */
    Optional<Path> dockerfile() {
        return dockerfile;
    }

    String dockerfileText() {
        return dockerfileText;
    }

    @Override
    public void close() {
        opened.close();
    }
}
