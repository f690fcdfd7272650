/**
 * The on-disk shape of a store root (an OCI image layout plus wharf's {@code ingest/} and lock file), crash-safe
 * file replacement, and the cross-process store lock.
 */
package dev.wharf.layers.layout;
