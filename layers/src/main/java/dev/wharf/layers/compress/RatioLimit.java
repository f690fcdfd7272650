package dev.wharf.layers.compress;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A cap on how far a compressed stream may expand: past {@code floorBytes} of output, the output may be at most
 * {@code maxRatio} times the compressed bytes read so far. A decompression bomb (a small blob that expands to fill the
 * disk) fails with a clear {@link IOException} instead. gzip cannot exceed about 1032:1 (deflate's limit), zstd
 * reaches about 32000:1 on runs of zeros, so the default cap stops zstd bombs and never a real gzip layer.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param maxRatio the largest allowed output/input ratio
 * @param floorBytes output below this size is never refused, whatever the ratio
 */
public record RatioLimit(long maxRatio, long floorBytes) {
    /** The default: 2000:1 once 256 MiB are out. */
    public static final RatioLimit DEFAULT = new RatioLimit(2000, 256L * 1024 * 1024);

    /** Validates. */
    public RatioLimit {
        if (maxRatio < 1 || floorBytes < 0) {
            throw new IllegalArgumentException("ratio must be at least 1 and floor not negative");
        }
    }

    /** Counts the compressed bytes read through it. */
    static final class Counting extends FilterInputStream {
        private long count;

        Counting(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Fails once the decompressed output outgrows the limit against the compressed input. */
    static final class Checked extends FilterInputStream {
        private final Counting compressed;
        private final RatioLimit limit;
        private long out;

        Checked(InputStream decompressed, Counting compressed, RatioLimit limit) {
            super(decompressed);
            this.compressed = compressed;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                check(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                check(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            check(skipped);
            return skipped;
        }

        private void check(long n) throws IOException {
            out += n;
            if (out > limit.floorBytes() && out / Math.max(1, compressed.count()) > limit.maxRatio()) {
                throw new IOException("refusing a possible decompression bomb: " + compressed.count()
                        + " compressed bytes expanded to more than " + out + " bytes, over " + limit.maxRatio()
                        + " times their size");
            }
        }
    }
}
