/**
 * Layer compression: {@link dev.wharf.layers.compress.LayerCompression} settings and the streams that apply them,
 * including a parallel {@link dev.wharf.layers.compress.ParallelGzipOutputStream} (libdeflate members when the host
 * has libdeflate, else pigz-style zlib blocks) whose output does not depend on the thread count.
 */
package dev.wharf.layers.compress;
