package dev.wharf.layers.registry;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a {@link RegistryClient}.
 *
 * <p>An immutable record, thread-safe; start from {@link #defaults()} and change fields with the {@code with}
 * methods.
 *
 * @param credentials where credentials come from
 * @param insecureRegistries registries (host or host:port, as in references) reached over plain HTTP; loopback
 *     registries ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}) always are
 * @param retry retries of transient failures
 * @param maxConcurrentTransfers how many blobs one pull or push transfers at once
 * @param chunkedUploadThreshold blobs larger than this many bytes are uploaded in chunks (PATCH), smaller ones in
 *     one PUT
 * @param uploadChunkSize the size of one upload chunk in bytes
 * @param connectTimeout how long to wait for a TCP connection
 * @param userAgent the User-Agent header value
 */
public record RegistryOptions(
        CredentialProvider credentials,
        Set<String> insecureRegistries,
        RetryPolicy retry,
        int maxConcurrentTransfers,
        long chunkedUploadThreshold,
        int uploadChunkSize,
        Duration connectTimeout,
        String userAgent) {

    /** Validates and copies. */
    public RegistryOptions {
        Objects.requireNonNull(credentials, "credentials");
        insecureRegistries = Set.copyOf(insecureRegistries);
        Objects.requireNonNull(retry, "retry");
        if (maxConcurrentTransfers < 1) {
            throw new IllegalArgumentException("maxConcurrentTransfers must be at least 1");
        }
        if (uploadChunkSize < 1) {
            throw new IllegalArgumentException("uploadChunkSize must be at least 1");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(userAgent, "userAgent");
    }

    /**
     * Anonymous access, no insecure registries, {@link RetryPolicy#defaults()}, 3 concurrent transfers (Docker's
     * default), every blob uploaded in one request (a monolithic PUT, streamed from the store).
     *
     * <p>Not chunked by default: docker and containers/image send a whole blob in one streamed request too, so every
     * registry they work with takes it, and 16 MiB chunks cost a copy into memory and a round trip each (a 100 MB
     * layer took 7 requests). {@link #withChunkedUploads} turns chunks on for registries behind a body-size limit.
     */
    public static RegistryOptions defaults() {
        return new RegistryOptions(CredentialProvider.anonymous(), Set.of(), RetryPolicy.defaults(), 3,
                Long.MAX_VALUE, 16 * 1024 * 1024, Duration.ofSeconds(30), "wharf");
    }

    /** Returns a copy with other credentials. */
    public RegistryOptions withCredentials(CredentialProvider newCredentials) {
        return new RegistryOptions(newCredentials, insecureRegistries, retry, maxConcurrentTransfers,
                chunkedUploadThreshold, uploadChunkSize, connectTimeout, userAgent);
    }

    /** Returns a copy with other insecure (plain HTTP) registries. */
    public RegistryOptions withInsecureRegistries(Set<String> newInsecure) {
        return new RegistryOptions(credentials, newInsecure, retry, maxConcurrentTransfers, chunkedUploadThreshold,
                uploadChunkSize, connectTimeout, userAgent);
    }

    /** Returns a copy with another retry policy. */
    public RegistryOptions withRetry(RetryPolicy newRetry) {
        return new RegistryOptions(credentials, insecureRegistries, newRetry, maxConcurrentTransfers,
                chunkedUploadThreshold, uploadChunkSize, connectTimeout, userAgent);
    }

    /** Returns a copy with another transfer concurrency. */
    public RegistryOptions withMaxConcurrentTransfers(int newMax) {
        return new RegistryOptions(credentials, insecureRegistries, retry, newMax, chunkedUploadThreshold,
                uploadChunkSize, connectTimeout, userAgent);
    }

    /** Returns a copy with other chunked-upload settings. */
    public RegistryOptions withChunkedUploads(long newThreshold, int newChunkSize) {
        return new RegistryOptions(credentials, insecureRegistries, retry, maxConcurrentTransfers, newThreshold,
                newChunkSize, connectTimeout, userAgent);
    }
}
