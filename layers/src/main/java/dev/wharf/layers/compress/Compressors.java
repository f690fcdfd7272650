package dev.wharf.layers.compress;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executor;

/**
 * Opens a compressing stream for a {@link LayerCompression}. Stateless and thread-safe.
 */
public final class Compressors {
    private Compressors() {
    }

    /**
     * Returns a stream that compresses into {@code out}; closing it finishes the compressed format and closes
     * {@code out}.
     *
     * @param executor runs parallel gzip blocks when {@code compression.threads() > 1}; owned by the caller
     */
    public static OutputStream open(OutputStream out, LayerCompression compression, Executor executor)
            throws IOException {
        return switch (compression.type()) {
            case GZIP -> new ParallelGzipOutputStream(out, compression.level(), compression.threads(), executor);
            case ZSTD -> {
                ZstdNative.ensureLoaded();
                ZstdOutputStream zstd = new ZstdOutputStream(out, compression.level());
                // A content checksum lets any zstd reader detect corruption on its own, as the zstd CLI does.
                zstd.setChecksum(true);
                // Always at least one worker: zstd's multi-threaded format depends on the input and level only,
                // never on the worker count (ZSTD_c_nbWorkers >= 1), while 0 workers gives other bytes. So layers
                // stay byte-identical on machines with any number of cores, and compression runs beside the thread
                // that writes the tar.
                zstd.setWorkers(compression.threads());
                yield zstd;
            }
            case NONE -> new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }
            };
        };
    }
}
