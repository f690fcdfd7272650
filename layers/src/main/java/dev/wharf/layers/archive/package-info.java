/**
 * Image archives in and out of a {@link dev.wharf.layers.store.LocalStore}: the API behind {@code wharf load},
 * {@code wharf import} and {@code wharf save}.
 *
 * <ul>
 *   <li>{@link dev.wharf.layers.archive.ArchiveImporter} loads every image of a {@code docker save} tarball (the
 *       layouts before and since Docker 25), an OCI archive or an OCI layout directory, verified blob by blob,
 *       and names them ({@code RepoTags}, {@code io.containerd.image.name},
 *       {@code org.opencontainers.image.ref.name}).</li>
 *   <li>{@link dev.wharf.layers.archive.RootfsImporter} makes a one-layer image from a root filesystem tarball,
 *       rewriting it by {@link dev.wharf.layers.layer.LayerWriter}'s rules so the layer depends only on the
 *       files.</li>
 *   <li>{@link dev.wharf.layers.archive.ArchiveExporter} writes a docker-archive, an OCI archive or an OCI layout
 *       directory, byte-identical for identical images and names.</li>
 * </ul>
 *
 * <p>Design choices: archive layers are stored as they come (compression detected from magic bytes, diff IDs of
 * docker-archive layers checked against the config), so a load never re-compresses; configs and OCI manifests keep
 * their bytes, hence their digests (a docker-archive gets a new OCI manifest, the image ID stays). Entry names and
 * symlinks that would leave the archive are refused ({@code EntryNames}), as moby's {@code safePath} does.
 */
package dev.wharf.layers.archive;
