package dev.wharf.builder.api;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The wharf build engine: builds Dockerfiles into images of a local store, and imports, lists and runs those
 * images. Create one with {@link #create(EngineOptions)} and close it when done.
 *
 * <p>Thread-safe: several builds may run at once on one engine and one store. No static state: two engines are
 * independent.
 */
public interface BuildEngine extends AutoCloseable {

    /** An engine over the store at {@code options.storeRoot()} (created if missing). */
    static BuildEngine create(EngineOptions options) {
        return new dev.wharf.builder.exec.LocalBuildEngine(options);
    }

    /**
     * Starts a build. The future completes with the result, or exceptionally with a {@link BuildFailedException}
     * (a step failed), an {@link EngineException} (the Dockerfile or the store could not be used) or a
     * {@link java.util.concurrent.CancellationException}. Cancelling the future stops the running step (its
     * process tree is killed) and releases its snapshot.
     */
    CompletableFuture<BuildResult> build(BuildRequest request);

    /**
     * Runs the build checks of {@code request}'s Dockerfile and builds nothing (buildx's {@code --check}): every
     * stage is checked unless the request names a target. Base images are looked up as for a build. The future
     * completes with the report, or exceptionally as {@link #build} does when the context or the Dockerfile cannot
     * be read.
     */
    default CompletableFuture<CheckReport> check(BuildRequest request) {
        return CompletableFuture.failedFuture(new EngineException("this engine cannot run build checks"));
    }

    /**
     * What building {@code request}'s target takes, without building it (buildx's {@code --call=outline}, BuildKit's
     * outline subrequest): the base images of the stages it needs are resolved, as for a build, so ARG defaults
     * read their environments; the future fails with a {@link BuildFailedException} where planning would.
     */
    default CompletableFuture<BuildOutline> outline(BuildRequest request) {
        return CompletableFuture.failedFuture(new EngineException("this engine cannot outline a build"));
    }

    /**
     * Imports a root filesystem tarball (plain, gzip or zstd) as a one-layer image named {@code reference}
     * ({@code name[:tag]}): how an offline user gets a base image.
     */
    ImageSummary importImage(Path rootfsTar, String reference) throws EngineException;

    /** The named images of the store. */
    List<ImageSummary> images() throws EngineException;

    /**
     * Runs an image's entrypoint and command (or {@code command} instead of the image's command when not empty) in
     * the sandbox without network, delivering its output to {@code output}.
     *
     * @return the process's exit code; as with {@code docker run}, 127 when the command does not exist and 126 when
     *         it is not executable, under every runtime
     */
    int run(String reference, List<String> command, OutputSink output) throws EngineException, InterruptedException;

    /**
     * Pulls an image from its registry into the store ({@code docker pull}): {@code reference} is
     * {@code NAME[:TAG|@DIGEST]} (Docker Hub and {@code latest} by default), {@code platform} picks the manifest
     * of a multi-platform image (empty: the host's). A pulled tag is named in the store by its full reference
     * ({@code docker.io/library/alpine:latest}). Each blob is reported to {@code listener} with step 0, as
     * {@link BuildEvent.Transfer}s while its bytes move and a {@link BuildEvent.BlobTransferred} when done.
     *
     * @return the pulled image under its full reference
     * @throws EngineException naming the reference, if it is malformed, unknown, or the registry refuses
     */
    default ImageSummary pull(String reference, java.util.Optional<String> platform, ProgressListener listener)
            throws EngineException {
        throw new EngineException("this engine cannot pull images");
    }

    /**
     * Pushes an image of the store to the registry its name says ({@code docker push}); blobs the registry has are
     * not uploaded again. Each blob is reported to {@code listener} with step 0, as {@link BuildEvent.Transfer}s
     * while its bytes move and a {@link BuildEvent.BlobTransferred} when done.
     *
     * @param reference a stored {@code NAME[:TAG]} ({@code latest} by default)
     * @throws EngineException naming the reference, if it is not stored or the registry refuses
     */
    default PushSummary push(String reference, ProgressListener listener) throws EngineException {
        return push(reference, OutputCompression.defaults(), listener);
    }

    /**
     * Pushes like {@link #push(String, ProgressListener)}, the layers the store keeps uncompressed compressed as
     * {@code compression} says (gzip at level 6 by default, as {@code docker push}); the compressed blobs are kept,
     * so pushing the same image again with the same compression compresses and uploads nothing. The pushed manifest
     * has Docker's media types, as {@code docker push} writes them and a build's push does by default, so a built
     * image pushed again keeps the digest its build pushed; zstd layers have OCI's (Docker has no zstd type), and a
     * stored multi-platform index is pushed as it is.
     *
     * @throws EngineException naming the reference, if it is not stored or the registry refuses
     */
    default PushSummary push(String reference, OutputCompression compression, ProgressListener listener)
            throws EngineException {
        throw new EngineException("this engine cannot push images");
    }

    /**
     * Cancels the builds still running, waits (up to half a minute) until they have killed their processes and
     * released their snapshots and mounts, then releases what the engine holds.
     */
    @Override
    void close();
}
