/**
 * Layer compression: {@link dev.wharf.layers.compress.LayerCompression} settings and the streams that apply them,
 * including a pigz-style {@link dev.wharf.layers.compress.ParallelGzipOutputStream} whose output does not depend on
 * the thread count.
 */
package dev.wharf.layers.compress;
