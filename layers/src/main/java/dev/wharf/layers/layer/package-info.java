/**
 * Layers as blobs and as changes to a directory.
 *
 * <ul>
 *   <li>{@link dev.wharf.layers.layer.TreeScanner} turns a directory tree or an overlayfs upper directory into
 *       neutral {@link dev.wharf.layers.layer.LayerChange}s (added, deleted, opaque), reading each file's
 *       {@link dev.wharf.layers.layer.FileMetadata} with {@link dev.wharf.layers.layer.FileMetadataReader}.</li>
 *   <li>{@link dev.wharf.layers.layer.LayerWriter} writes changes as a deterministic OCI layer tar (whiteouts,
 *       opaque markers, hard links, xattrs) into a {@link dev.wharf.layers.layer.LayerBlobSink}, which computes the
 *       diff ID and the compressed digest in the same pass and commits the blob.</li>
 *   <li>{@link dev.wharf.layers.layer.LayerApplier} applies a layer onto a directory, confined to it
 *       ({@code ConfinedRoot}), and reports what it could not reproduce in an
 *       {@link dev.wharf.layers.layer.ApplyResult}.</li>
 * </ul>
 */
package dev.wharf.layers.layer;
