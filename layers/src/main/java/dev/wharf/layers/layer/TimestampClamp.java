package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.tar.TarHeader;
import dev.wharf.layers.tar.TarReader;
import dev.wharf.layers.tar.TarTime;
import dev.wharf.layers.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * Rewrites a stored layer with its times clamped to {@code SOURCE_DATE_EPOCH} as BuildKit's rewrite does (a Go
 * {@code tar.Reader} into a {@code tar.Writer}, each header's modification, access and change time lowered to the
 * epoch when later): every entry, its order, content and every header field and PAX record as Go reads and writes
 * them back (user and group names, vendor records, xattrs, global headers, the format), only the times changed (and
 * LayerWriter's whiteouts dated at the epoch, see {@link #isUndatedWhiteout}). For a layer
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
     * Whether {@code header} is a whiteout or an opaque marker as LayerWriter writes them: dated 1970, where
     * containerd's differ gives the time of the diff, which BuildKit's rewrite then clamps to the epoch. With the
     * epoch LayerWriter dates them at it, and so does the clamp; a whiteout of another writer keeps its time unless
     * it is later than the epoch.
     */
    private static boolean isUndatedWhiteout(TarHeader header) {
        String name = header.name();
        return header.typeflag() == '0' && header.size() == 0 && header.mtime().equals(TarTime.ofSeconds(0))
                && Whiteouts.isWhiteout(TarHeader.text(name.substring(name.lastIndexOf('/') + 1)));
    }

    /**
     * Stores {@code source} (a blob of {@code store}, plain or compressed) with its times clamped to {@code epoch}
     * (seconds since 1970) as a plain-tar layer.
     *
     * @throws LayerException if the source is missing or not a readable tar, or the result cannot be stored
     */
    public static LayerBlob clamp(BlobStore store, LayerBlob source, long epoch) throws LayerException {
        Objects.requireNonNull(source, "source");
        TarTime limit = TarTime.ofSeconds(epoch);
        // Uncompressed: the sink runs no compressor threads, so no executor is needed.
        try (LayerBlobSink sink = LayerBlobSink.open(store, LayerCompression.none(), Runnable::run);
             InputStream in = Decompressors.open(store.open(source.descriptor().digest()))) {
            TarReader reader = new TarReader(in);
            TarWriter writer = new TarWriter(sink);
            byte[] buffer = new byte[BUFFER];
            for (Optional<TarHeader> next = reader.nextHeader(); next.isPresent(); next = reader.nextHeader()) {
                TarHeader header = next.get();
                writer.putHeader(isUndatedWhiteout(header)
                        ? header.withTimes(limit, clamp(header.atime(), limit), clamp(header.ctime(), limit))
                        : header.withTimes(clamp(header.mtime(), limit), clamp(header.atime(), limit),
                                clamp(header.ctime(), limit)));
                if (header.contentSize() > 0) {
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

    /** {@code time} (null: none) lowered to {@code limit} when later, as BuildKit's header converter does. */
    private static TarTime clamp(TarTime time, TarTime limit) {
        return time != null && time.isAfter(limit) ? limit : time;
    }
}
