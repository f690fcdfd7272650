package dev.wharf.layers.compress;

import com.github.luben.zstd.ZstdInputStream;
import dev.wharf.layers.MediaTypes.Compression;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Opens a decompressing stream for a layer whose compression is recognised from its first bytes (the gzip and zstd
 * magic numbers), as containerd's {@code compression.DecompressStream} does; anything else is read as is.
 * Stateless and thread-safe.
 */
public final class Decompressors {
    private static final int BUFFER = 64 * 1024;

    private Decompressors() {
    }

    /** Returns the compression that {@code in} starts with, leaving the stream where it was; needs mark support. */
    public static Compression detect(InputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return Compression.GZIP;
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }

    /**
     * Returns the decompressed content of {@code in}; closing it closes {@code in}. A truncated or corrupted
     * compressed stream fails with an {@link IOException} when read, never with a silent end.
     */
    public static InputStream open(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
        return switch (detect(buffered)) {
            case GZIP -> gunzip(buffered);
            case ZSTD -> zstd(buffered);
            case NONE -> buffered;
        };
    }

    private static InputStream zstd(BufferedInputStream buffered) throws IOException {
        ZstdNative.ensureLoaded();
        return new ZstdInputStream(buffered);
    }

    /**
     * A gzip reader over {@code buffered} that reads every member of a multi-member stream (wharf's own gzip layers
     * with libdeflate, pigz {@code --independent}, eStargz). {@link GZIPInputStream} looks for a next member only
     * when its source's {@code available()} is above 0 (or enough input is left in its inflater), so over a socket
     * that has no byte ready at a member boundary it would end early, silently; here {@code available()} waits for
     * the next byte instead.
     */
    private static GZIPInputStream gunzip(BufferedInputStream buffered) throws IOException {
        return new GZIPInputStream(new FilterInputStream(buffered) {
            @Override
            public int available() throws IOException {
                int available = in.available();
                if (available > 0) {
                    return available;
                }
                in.mark(1);
                int next = in.read();
                in.reset();
                return next < 0 ? 0 : 1;
            }
        }, BUFFER);
    }

    /**
     * As {@link #open(InputStream)}, refusing to expand a compressed stream beyond {@code limit}: reading fails
     * with an {@link IOException} saying so. For untrusted layers and archives.
     */
    public static InputStream open(InputStream in, RatioLimit limit) throws IOException {
        RatioLimit.Counting counted = new RatioLimit.Counting(in);
        BufferedInputStream buffered = new BufferedInputStream(counted, BUFFER);
        return switch (detect(buffered)) {
            case GZIP -> new RatioLimit.Checked(gunzip(buffered), counted, limit);
            case ZSTD -> new RatioLimit.Checked(zstd(buffered), counted, limit);
            case NONE -> buffered;
        };
    }

    /**
     * The reason an I/O exception gives: the decompressors' {@link EOFException}s (GZIPInputStream's and xz's
     * headers, a cut stream) have none, which made messages end in ": null".
     */
    public static String reason(IOException e) {
        if (e.getMessage() != null) {
            return e.getMessage();
        }
        return e instanceof EOFException ? "unexpected end of stream" : e.getClass().getSimpleName();
    }
}
