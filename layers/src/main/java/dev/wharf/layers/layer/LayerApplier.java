package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.compress.RatioLimit;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Applies a layer (a tar, plain or gzip or zstd, recognised by its first bytes) onto a directory, as containerd's
 * {@code archive.Apply} does for OCI layers.
 *
 * <ul>
 *   <li>Whiteouts: {@code .wh.<name>} removes {@code <name>}; {@code <dir>/.wh..wh..opq} removes everything in
 *       {@code dir} that this layer has not written (so it works in any entry order); other {@code .wh..wh.} names
 *       are ignored.</li>
 *   <li>An entry replaces what is at its path, except that a directory over a directory only updates the metadata.
 *       Missing parent directories are created with mode 0755.</li>
 *   <li>Hard links, symlinks (dangling too), fifos, xattrs, modes, and modification times (also of symlinks) are
 *       reproduced; owners and device nodes only when running as root (otherwise devices are skipped with a
 *       warning). overlayfs's own xattrs ({@code trusted.overlay.*}, {@code user.overlay.*}) are never set, so a
 *       layer cannot plant overlay metadata. Directory modes and times (and owners, of directories without xattrs) are
 *       set after all entries.</li>
 *   <li>Confinement: every path is resolved inside the root ({@link ConfinedRoot}); a name or hard-link target with
 *       {@code ..} above the root is refused, absolute names are taken relative to the root, and symlinks met on
 *       the way (planted by this or an earlier layer) are followed only within the root.</li>
 *   <li>A malformed, truncated or corrupted archive fails with a {@link LayerException} naming the entry; the root
 *       may then hold part of the layer, and the caller discards it. So does a compressed stream expanding beyond
 *       {@link RatioLimit#DEFAULT} (a decompression bomb).</li>
 * </ul>
 *
 * <p>Each apply resolves every path on the calling thread, in tar order, and creates there the directories, links and
 * other entries; regular files are created (at the path so resolved), written and given their owner, mode and time
 * by a thread of its own ({@link FileDataWriter}), in tar order too, so the kernel's creating and copying of files
 * overlaps the parsing and creating of the next entries. Whatever could see or disturb a file still pending on that
 * thread waits for all of them first: an entry at a path this layer has written already (a duplicate, or a directory
 * replacing a file), any removal (a replaced entry, a whiteout, an opaque directory), a hard link, and the walk of a
 * parent directory not resolved yet (its components may be pending files). So every path is still checked against
 * the tree as the entries before it left it, and the containment rules below hold as they do one entry at a time.
 *
 * <p>One apply is an {@link ApplyRun}, which hands each concern to a class of its own: {@link ParentDirectories},
 * {@link Whiteouts}, {@link RegularFiles}, {@link EntryOwners}, {@link EntryMetadata} and {@link PendingDirectories}.
 *
 * <p>Immutable and thread-safe; concurrent applies must use different roots.
 */
public final class LayerApplier {
    private final PosixFiles posix;
    private final boolean keepOwners;

    /** Creates an applier that uses {@code posix} for owners, devices, xattrs and symlink times. */
    public LayerApplier(PosixFiles posix) {
        this(posix, true);
    }

    private LayerApplier(PosixFiles posix, boolean keepOwners) {
        this.posix = Objects.requireNonNull(posix, "posix");
        this.keepOwners = keepOwners;
    }

    /**
     * An applier that leaves every file owned by the caller, as BuildKit's local exporter writes a build's result
     * ({@code session/filesync}: each entry's uid and gid replaced by the client's); modes, setuid bits included,
     * are kept.
     */
    public LayerApplier withoutOwners() {
        return new LayerApplier(posix, false);
    }

    /**
     * Where the entries of an apply go when {@code root} is not the whole tree they must be resolved in: the
     * writable directory of a snapshot whose lower layers hold directories and symlinks that entries' paths go
     * through (ADD of an archive, extracted by BuildKit in the merged filesystem).
     */
    @FunctionalInterface
    public interface Directories {
        /**
         * The host directory that holds entries under {@code parts} (clean components relative to the apply's
         * root), made when missing; symlinks on the way followed as the tree they belong to says.
         */
        Path directory(List<String> parts, String entry) throws IOException, LayerException;

        /**
         * Called after the apply made the directory {@code created} where the root had nothing: the tree around
         * the root may have had a non-directory there, which the new directory replaces.
         */
        default void madeDirectory(Path created) throws IOException, LayerException {
        }
    }

    /**
     * Applies the layer read from {@code layer} onto {@code root}. The whole stream is read, so a corrupted
     * compressed stream is detected even after the end of the tar.
     *
     * @throws LayerException if the layer is malformed, truncated or hostile, or a file cannot be written
     */
    public ApplyResult apply(InputStream layer, Path root) throws LayerException {
        return apply(layer, root, null);
    }

    /**
     * As {@link #apply(InputStream, Path)}, with the entries' parent directories resolved (and made) by
     * {@code directories} instead of inside {@code root} alone.
     */
    public ApplyResult apply(InputStream layer, Path root, Directories directories) throws LayerException {
        ApplyRun run = new ApplyRun(posix, new ConfinedRoot(root), posix.effectiveUid() == 0, keepOwners,
                directories);
        try (run; InputStream in = Decompressors.open(layer, RatioLimit.DEFAULT)) {
            TarReader tar = new TarReader(in);
            Optional<TarEntry> next;
            while ((next = tar.next()).isPresent()) {
                run.apply(next.get(), tar);
            }
            in.transferTo(OutputStream.nullOutputStream());
            // Every file written and closed before the directories' modes and times, and before returning.
            run.finish();
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot read layer (corrupted or truncated compressed stream?) "
                    + run.where() + ": " + Decompressors.reason(e), e);
        }
        return run.result();
    }
}
