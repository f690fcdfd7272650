/**
 * Layers as blobs: {@link dev.wharf.layers.layer.LayerBlobSink} turns an uncompressed layer tar into a stored,
 * compressed blob plus its diff ID in one pass. The tar writer (entries, whiteouts, PAX headers) and the applier
 * build on it and are not written yet.
 */
package dev.wharf.layers.layer;
