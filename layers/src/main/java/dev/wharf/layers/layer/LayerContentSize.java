package dev.wharf.layers.layer;

import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The size Docker gives a layer ({@code docker history}'s SIZE, {@code docker images}' SIZE is their sum): the bytes
 * of its content once unpacked, not of its blob. Docker's graph drivers measure an unpacked layer's directory
 * (moby daemon/graphdriver/overlay2 ApplyDiff and DiffSize, pkg/directory Size): every non-directory of non-zero
 * lstat size counted once per inode, so regular files by their length, symbolic links by their target's length,
 * hard links not again, whiteouts (0/0 devices) and directories not at all.
 *
 * <p>Stateless and thread-safe.
 */
public final class LayerContentSize {
    private LayerContentSize() {
    }

    /**
     * Reads the whole layer (a tar, compressed or not) from {@code layer} and returns its content size.
     *
     * @throws IOException if it cannot be read or is not a tar
     */
    public static long of(InputStream layer) throws IOException {
        try (InputStream in = Decompressors.open(layer)) {
            TarReader tar = new TarReader(in);
            long size = 0;
            Optional<TarEntry> next;
            while ((next = tar.next()).isPresent()) {
                TarEntry entry = next.get();
                if (entry.type() == TarEntryType.REGULAR) {
                    size += entry.size();
                } else if (entry.type() == TarEntryType.SYMLINK) {
                    size += entry.linkName().getBytes(StandardCharsets.UTF_8).length;
                }
            }
            in.transferTo(OutputStream.nullOutputStream());
            return size;
        }
    }
}
