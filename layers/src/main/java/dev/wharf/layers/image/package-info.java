/**
 * The image model as immutable records (OCI image index, manifest and config, which also read Docker schema 2),
 * and {@link dev.wharf.layers.image.ImageReader} / {@link dev.wharf.layers.image.ImageWriter} to load and store them
 * as verified blobs.
 */
package dev.wharf.layers.image;
