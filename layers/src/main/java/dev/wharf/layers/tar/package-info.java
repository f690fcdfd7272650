/**
 * The tar format as layers use it: {@link dev.wharf.layers.tar.TarEntry} values, a deterministic
 * {@link dev.wharf.layers.tar.TarWriter} (ustar headers, PAX records when a field does not fit) and a strict
 * {@link dev.wharf.layers.tar.TarReader} (ustar, PAX, GNU long names; limits on header sizes; truncation is an
 * error).
 *
 * <p>wharf has its own codec rather than Apache Commons Compress because PAX values must be kept as raw bytes:
 * {@code SCHILY.xattr.security.capability} holds binary data, and Commons Compress 1.28.0 decodes and encodes every
 * PAX value as UTF-8 ({@code TarUtils.parsePaxHeaders}, {@code TarArchiveOutputStream.writePaxHeaders}), which
 * corrupts it. Go's {@code archive/tar}, which Docker, containerd and BuildKit use, keeps the bytes. Uses only the
 * root package.
 */
package dev.wharf.layers.tar;
