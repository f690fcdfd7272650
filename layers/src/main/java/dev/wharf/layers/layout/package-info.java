/**
 * The on-disk shape of a store root (an OCI image layout plus wharf's {@code ingest/} and lock file), crash-safe
 * file replacement, the cross-process store lock, and recursive deletion of trees ({@link
 * dev.wharf.layers.layout.FileTrees}), shared by every module that removes temporary directories.
 */
package dev.wharf.layers.layout;
