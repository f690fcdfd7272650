package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarReader;
import dev.wharf.layers.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * Rewrites a stored layer with its modification times clamped to {@code SOURCE_DATE_EPOCH}: every entry, its order,
 * owner, mode, link, xattrs and content as they are, only a time later than the epoch lowered to it (and whiteouts
 * dated at it, see {@link #isWhiteout}). For a layer
 * {@link LayerWriter} wrote, the result is byte for byte the layer it writes from the same files with
 * {@link LayerWriterOptions#withSourceDateEpoch} (its entries carry nothing else that depends on time), so a step
 * can be cached unclamped and its layer clamped for whichever epoch an image is exported with. This is BuildKit's
 * {@code rewrite-timestamp=true} exporter option ({@code exporter/containerimage}, a tar converter run on each
 * layer the image does not share with its base), which leaves the build cache unclamped too.
 *
 * <p>Stateless and thread-safe; each call writes its own blob, uncompressed like every layer a build writes.
 */
public final class TimestampClamp {
    /** Bytes of content copied at once. */
    private static final int BUFFER = 256 * 1024;

    private TimestampClamp() {
    }

    /**
     * Whether {@code entry} is a whiteout or an opaque marker. LayerWriter dates them 1970 where containerd's differ
     * gives the time of the diff, which BuildKit's rewrite then clamps to the epoch; with the epoch LayerWriter dates
     * them at it, and so does the clamp, whatever time they had.
     */
    private static boolean isWhiteout(TarEntry entry) {
        String name = entry.name();
        return entry.type() == TarEntryType.REGULAR && entry.size() == 0
                && Whiteouts.isWhiteout(name.substring(name.lastIndexOf('/') + 1));
    }

    /**
     * Stores {@code source} (a blob of {@code store}, plain or compressed) with its times clamped to {@code epoch}
     * (seconds since 1970) as a plain-tar layer.
     *
     * @throws LayerException if the source is missing or not a readable tar, or the result cannot be stored
     */
    public static LayerBlob clamp(BlobStore store, LayerBlob source, long epoch) throws LayerException {
        Objects.requireNonNull(source, "source");
        // Uncompressed: the sink runs no compressor threads, so no executor is needed.
        try (LayerBlobSink sink = LayerBlobSink.open(store, LayerCompression.none(), Runnable::run);
             InputStream in = Decompressors.open(store.open(source.descriptor().digest()))) {
            TarReader reader = new TarReader(in);
            TarWriter writer = new TarWriter(sink);
            byte[] buffer = new byte[BUFFER];
            for (Optional<TarEntry> next = reader.next(); next.isPresent(); next = reader.next()) {
                TarEntry entry = next.get();
                writer.putEntry(entry.mtime() <= epoch && !isWhiteout(entry) ? entry : new TarEntry(entry.name(),
                        entry.type(), entry.mode(), entry.uid(), entry.gid(), entry.size(), epoch, entry.linkName(),
                        entry.devMajor(), entry.devMinor(), entry.xattrs()));
                if (entry.size() > 0) {
                    InputStream content = reader.content();
                    for (int n = content.read(buffer); n > 0; n = content.read(buffer)) {
                        writer.write(buffer, 0, n);
                    }
                }
            }
            writer.finish();
            return sink.finish();
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot clamp the times of layer " + source.diffId() + " to "
                    + epoch + ": " + e.getMessage(), e);
        }
    }
}
