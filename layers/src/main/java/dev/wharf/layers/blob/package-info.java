/**
 * Content-addressed blobs: {@link dev.wharf.layers.blob.BlobProvider} for readers, {@link
 * dev.wharf.layers.blob.BlobStore} and {@link dev.wharf.layers.blob.BlobWriter} for writers, and the filesystem
 * implementation {@link dev.wharf.layers.blob.FileBlobStore} (containerd's local content store design: stage in
 * {@code ingest/}, verify size and digest, publish atomically, verify again on every read).
 */
package dev.wharf.layers.blob;
