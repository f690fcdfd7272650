package dev.wharf.layers.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One registry API call, answering jib's five questions (method, URL, Accept, response handling, description);
 * {@link RegistryCaller} does the HTTP work (auth, retries, errors) once for all of them.
 *
 * <p>Implementations are immutable values apart from what {@link #handle} writes to (e.g. a blob writer), and
 * are used by one thread.
 *
 * @param <T> what the call returns
 */
interface RegistryEndpoint<T> {
    /** Returns the HTTP method. */
    String method();

    /**
     * Returns the method BuildKit's resolver sends for the same step, for {@link RegistryException#goReason()}: a
     * manifest wharf GETs at once is first HEADed by containerd's resolver, and users compare the two errors.
     */
    default String goMethod() {
        return method();
    }

    /** Returns the URL, given the registry's API base {@code scheme://host/v2/}. */
    URI uri(URI apiBase);

    /** Returns the acceptable media types, or an empty list for no Accept header. */
    default List<String> accept() {
        return List.of();
    }

    /** Returns extra request headers. */
    default Map<String, String> headers() {
        return Map.of();
    }

    /** Returns a fresh request body for one attempt (called again for each retry). */
    default HttpRequest.BodyPublisher body() {
        return HttpRequest.BodyPublishers.noBody();
    }

    /** Returns the statuses handed to {@link #handle}; others are errors. */
    Set<Integer> acceptedStatuses();

    /**
     * Tells whether the caller may send the request again after a connection error or a retryable status. Calls
     * that continue server-side state (an upload chunk) say no; their owner restarts the whole operation.
     */
    default boolean retryable() {
        return true;
    }

    /**
     * Handles an answer with an accepted status, reading its body on the calling thread. The answer is closed by the
     * caller afterwards.
     *
     * @throws IOException if reading the body fails (a {@link RegistryException} for a bad answer)
     */
    T handle(TransportResponse response) throws IOException;

    /** Describes the call for messages, e.g. {@code pull manifest localhost:5000/app:1.0}. */
    String describe();
}
