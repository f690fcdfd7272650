package dev.wharf.layers.compress;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A stream over another whose {@link #close()} only flushes: a compressor's close must end its format without
 * closing the blob writer beneath, which is committed afterwards. Not thread-safe (as the stream it wraps).
 */
public final class KeepOpenOutputStream extends FilterOutputStream {
    /** Wraps {@code out}. */
    public KeepOpenOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
