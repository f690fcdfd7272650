package dev.wharf.context.sources;

import dev.wharf.context.ContextException;

/**
 * Where a build context comes from: a local directory, a tar stream or archive, or a git repository. Opening it
 * yields a local directory root that the rest of the context module ({@code .dockerignore}, source resolution,
 * checksums) works on; closing that {@link OpenedContext} removes whatever the opening created.
 *
 * <p>Implementations are immutable; whether one may be opened more than once is said by each (a stream can be
 * read only once).
 */
public interface BuildContextSource {

    /**
     * Makes the context available as a local directory.
     *
     * @throws ContextException when the context cannot be read, extracted or cloned; the message says what failed
     */
    OpenedContext open() throws ContextException;
}
