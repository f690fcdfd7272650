package dev.wharf.layers.registry;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.blob.BlobWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * A client of the Docker Registry HTTP API v2 / OCI distribution-spec: pulls and pushes manifests and blobs of one
 * repository at a time, with authentication, retries and digest verification.
 *
 * <p>Thread-safe; share one instance (it holds the HTTP connection pool and the token cache). Blobs are streamed
 * straight into a {@link BlobStore} writer and committed with their expected size and digest, so a wrong or
 * truncated download never becomes a stored blob. {@link ImagePuller} and {@link ImagePusher} move whole images.
 */
public final class RegistryClient {
    private final RegistryCaller caller;
    private final RegistryOptions options;

    private RegistryClient(RegistryCaller caller, RegistryOptions options) {
        this.caller = caller;
        this.options = options;
    }

    /**
     * Tells whether {@code host[:port]} is a loopback registry ({@code localhost}, {@code 127.0.0.0/8},
     * {@code [::1]}), which wharf and dockerd reach over plain HTTP without being told it is insecure.
     */
    public static boolean isLoopback(String hostAndPort) {
        return PlainHttpPolicy.isLoopback(hostAndPort);
    }

    /**
     * Makes a client with the given options, on its own blocking HTTP/1.1 connections ({@link SocketTransport}:
     * TLS is set up at the first HTTPS request only).
     */
    public static RegistryClient create(RegistryOptions options) {
        return create(options, new SocketTransport(options.connectTimeout()));
    }

    /** Makes a client that sends through {@code http} (tests: a transport trusting a test certificate). */
    static RegistryClient create(RegistryOptions options, HttpTransport http) {
        PlainHttpPolicy plainHttp = new PlainHttpPolicy(options.insecureRegistries());
        RegistryAuthenticator authenticator = new RegistryAuthenticator(http, options.credentials(), plainHttp,
                Clock.systemUTC(), options.userAgent());
        return new RegistryClient(new RegistryCaller(http, authenticator, options.retry(), plainHttp,
                options.userAgent()), options);
    }

    /** Returns the options this client was made with. */
    public RegistryOptions options() {
        return options;
    }

    /**
     * Fetches the manifest or index a reference names (by digest if it has one, else by tag, else {@code latest}).
     *
     * @throws RegistryException if the registry refuses, or the content does not match the requested digest or
     *     the registry's {@code Docker-Content-Digest}
     */
    public ManifestResponse pullManifest(ImageReference reference) throws RegistryException {
        return call(reference, false, new ManifestPuller(reference, reference.manifestReference(), true));
    }

    /** Fetches a manifest or index of a repository by digest (e.g. a platform's manifest from an index). */
    public ManifestResponse pullManifest(ImageReference repository, Digest digest) throws RegistryException {
        return call(repository, false, new ManifestPuller(repository, digest.toString(), false));
    }

    /** Returns the digest the reference's tag points to, or empty if the repository has no such manifest. */
    public Optional<Digest> manifestDigest(ImageReference reference) throws RegistryException {
        return call(reference, false, new ManifestChecker(reference, reference.manifestReference()));
    }

    /** Tells whether the repository has the blob. */
    public boolean blobExists(ImageReference repository, Digest digest) throws RegistryException {
        return call(repository, false, new BlobChecker(repository, digest)).isPresent();
    }

    /** Checks a blob with the push scope, so a push needs one token for its checks and uploads. */
    private boolean blobExistsForPush(ImageReference repository, Digest digest) throws RegistryException {
        return call(repository, true, new BlobChecker(repository, digest)).isPresent();
    }

    /**
     * Downloads a blob into the store, verified against the descriptor's size and digest. A connection that drops
     * mid-blob is resumed with a {@code Range} request; attempts that make no progress count against the retry
     * policy. If the blob is already stored nothing is downloaded.
     *
     * @throws RegistryException if the registry refuses or keeps failing
     * @throws LayerException if the content does not match the descriptor (nothing is stored)
     */
    public BlobInfo pullBlob(ImageReference repository, Descriptor descriptor, BlobStore store)
            throws LayerException {
        return pullBlob(repository, descriptor, store, bytes -> { });
    }

    /** {@link #pullBlob(ImageReference, Descriptor, BlobStore)}, telling {@code progress} the bytes stored so far. */
    public BlobInfo pullBlob(ImageReference repository, Descriptor descriptor, BlobStore store, LongConsumer progress)
            throws LayerException {
        Optional<BlobInfo> present = store.info(descriptor.digest());
        if (present.isPresent()) {
            return present.get();
        }
        List<String> scopes = List.of(RegistryCaller.scope(repository, false));
        try (BlobWriter writer = store.writer(descriptor.digest().algorithm())) {
            int failuresWithoutProgress = 0;
            while (true) {
                long before = writer.size();
                try {
                    caller.call(repository, scopes,
                            new BlobPuller(repository, descriptor.digest(), descriptor.size(), writer,
                                    progress));
                    break;
                } catch (LayerException e) {
                    throw e;
                } catch (IOException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new RegistryException("pull blob " + descriptor.digest() + ": interrupted", e);
                    }
                    failuresWithoutProgress = writer.size() > before ? 1 : failuresWithoutProgress + 1;
                    if (failuresWithoutProgress >= options.retry().maxAttempts()) {
                        throw new RegistryException("pull blob " + descriptor.digest() + " from " + repository.name()
                                + ": the connection failed " + failuresWithoutProgress + " times in a row at byte "
                                + writer.size() + " of " + descriptor.size() + " (" + RegistryCaller.describe(e)
                                + "); check the network and try again", e);
                    }
                    sleep(failuresWithoutProgress);
                }
            }
            return writer.commit(descriptor.size(), descriptor.digest());
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryException("pull blob " + descriptor.digest() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Uploads a blob from the store unless the repository already has it: HEAD first, then a cross-repository
     * mount from {@code mountFrom} (a repository path on the same registry) if given, then a monolithic upload,
     * or a chunked one above {@link RegistryOptions#chunkedUploadThreshold()}.
     *
     * @return true if bytes were uploaded, false if the blob was already there or mounted
     * @throws RegistryException if the registry refuses or keeps failing
     */
    public boolean pushBlob(ImageReference repository, Descriptor descriptor, BlobProvider source,
            Optional<ImageReference> mountFrom) throws LayerException {
        return pushBlob(repository, descriptor, source, mountFrom, bytes -> { });
    }

    /**
     * {@link #pushBlob(ImageReference, Descriptor, BlobProvider, Optional)}, telling {@code progress} the bytes
     * handed to the connection so far (a retried upload starts again from 0).
     */
    public boolean pushBlob(ImageReference repository, Descriptor descriptor, BlobProvider source,
            Optional<ImageReference> mountFrom, LongConsumer progress) throws LayerException {
        Digest digest = descriptor.digest();
        if (blobExistsForPush(repository, digest)) {
            return false;
        }
        String what = "blob " + digest + " to " + repository.name();
        Optional<ImageReference> from = mountFrom.filter(m -> m.sameRegistry(repository)
                && !m.path().equals(repository.path()));
        for (int attempt = 1; ; attempt++) {
            URI location;
            try {
                UploadStarter.Started started;
                if (from.isPresent()) {
                    started = caller.call(repository, List.of(RegistryCaller.scope(repository, true),
                            RegistryCaller.scope(from.get(), false)), new UploadStarter(repository, digest,
                            from.get().path()));
                    if (started.mounted()) {
                        return false;
                    }
                } else {
                    started = call(repository, true, new UploadStarter(repository, null, null));
                }
                location = started.location();
            } catch (RegistryException e) {
                // The POST is retryable, so RegistryCaller has already spent its attempts on it: another round here
                // would multiply them (16 POSTs, ~35 s) where BuildKit's one retry handler makes 4.
                throw e;
            } catch (IOException e) {
                throw new RegistryException("push " + what + ": " + RegistryCaller.describe(e), e);
            }
            try {
                upload(repository, descriptor, source, location, what, progress);
                return true;
            } catch (RegistryException e) {
                if (retryableUploadFailure(e) && attempt < options.retry().maxAttempts()) {
                    sleep(attempt);
                    continue;
                }
                throw e;
            }
        }
    }

    /** A whole upload is restarted when a non-retryable step (PATCH, final PUT) failed transiently. */
    private static boolean retryableUploadFailure(RegistryException e) {
        return e.statusCode() < 0 ? e.getCause() instanceof IOException && !(e.getCause() instanceof LayerException)
                && !RegistryCaller.isRefusedConnect(e.getCause())
                : RetryPolicy.isRetryableStatus(e.statusCode());
    }

    private void upload(ImageReference repository, Descriptor descriptor, BlobProvider source, URI location,
            String what, LongConsumer progress) throws LayerException {
        List<String> scopes = List.of(RegistryCaller.scope(repository, true));
        long size = descriptor.size();
        try {
            if (size <= options.chunkedUploadThreshold()) {
                caller.call(repository, scopes, new UploadFinisher(location, descriptor.digest(),
                        () -> new CountingInputStream(open(source, descriptor.digest()), progress), size, what));
                return;
            }
            byte[] chunk = new byte[(int) Math.min(options.uploadChunkSize(), size)];
            URI next = location;
            long offset = 0;
            try (InputStream in = source.open(descriptor.digest())) {
                int n;
                while ((n = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                    next = caller.call(repository, scopes, new UploadChunkPusher(next, chunk, n, offset, what));
                    offset += n;
                    progress.accept(offset);
                }
            }
            if (offset != size) {
                throw new LayerException("push " + what + ": the stored blob has " + offset
                        + " bytes but its descriptor says " + size + "; the image in the store is malformed");
            }
            caller.call(repository, scopes, new UploadFinisher(next, descriptor.digest(), null, 0, what));
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryException("push " + what + ": " + RegistryCaller.describe(e), e);
        }
    }

    private static InputStream open(BlobProvider source, Digest digest) {
        try {
            return source.open(digest);
        } catch (LayerException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Uploads a manifest or index under a tag or digest reference, unless the tag already points to the same
     * digest.
     *
     * @return true if the manifest was uploaded, false if the registry already had it under that reference
     */
    public boolean pushManifest(ImageReference reference, byte[] content, String mediaType)
            throws RegistryException {
        Digest digest = Digest.sha256Of(content);
        String target = reference.tag().orElse(reference.digest().map(Digest::toString).orElse(digest.toString()));
        Optional<Digest> existing = call(reference, true, new ManifestChecker(reference, target));
        if (existing.isPresent() && existing.get().equals(digest)) {
            return false;
        }
        Optional<Digest> reported = call(reference, true, new ManifestPusher(reference, target, content, mediaType));
        if (reported.isPresent() && !reported.get().equals(digest)) {
            throw new RegistryException("push manifest " + reference + ": the registry stored it as "
                    + reported.get() + " but the bytes sent hash to " + digest
                    + "; the registry rewrote the manifest, which breaks digest references");
        }
        return true;
    }

    private <T> T call(ImageReference repository, boolean push, RegistryEndpoint<T> endpoint)
            throws RegistryException {
        try {
            return caller.call(repository, List.of(RegistryCaller.scope(repository, push)), endpoint);
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryException(endpoint.describe() + ": " + RegistryCaller.describe(e), e);
        }
    }

    private void sleep(int attempt) throws RegistryException {
        try {
            Thread.sleep(options.retry().backoff(attempt).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting to retry", e);
        }
    }
}
