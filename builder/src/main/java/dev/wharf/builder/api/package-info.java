/**
 * wharf's public Java API: {@link dev.wharf.builder.api.BuildEngine} builds a
 * {@link dev.wharf.builder.api.BuildRequest} into a {@link dev.wharf.builder.api.BuildResult}, reporting
 * {@link dev.wharf.builder.api.BuildEvent}s to a {@link dev.wharf.builder.api.ProgressListener}; it also imports,
 * lists and runs images of the local store.
 *
 * <p>Signatures in this package use only JDK and api types (jib's rule), so callers such as the CLI and the Maven
 * plugin never depend on the engine's internals. Known package cycle ("should fix", as jib lists its own):
 * {@code BuildEngine.create} names the implementation in {@code dev.wharf.builder.exec}, which uses this package's
 * types.
 */
package dev.wharf.builder.api;
