package dev.wharf.layers.blob;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * An input stream over a stored blob that hashes every byte it returns and, at end of stream, throws a
 * {@link LayerException} if the content does not have the expected digest and size.
 *
 * <p>Not thread-safe (like any stream). Skipping reads through the skipped bytes so they are hashed too; mark and
 * reset are unsupported.
 */
final class VerifyingInputStream extends FilterInputStream {
    private final Digest expected;
    private final long expectedSize;
    private final Path file;
    private final MessageDigest hasher;
    private long count;
    private boolean checked;
    private String failure;

    VerifyingInputStream(InputStream in, Digest expected, long expectedSize, Path file) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.file = file;
        this.hasher = expected.algorithm().newMessageDigest();
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            checkAtEnd();
        } else {
            hasher.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n < 0) {
            checkAtEnd();
        } else {
            hasher.update(buffer, offset, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // unsupported: reset() would re-hash bytes
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported on a verifying blob stream");
    }

    private void checkAtEnd() throws LayerException {
        if (!checked) {
            checked = true;
            Digest actual = Digest.fromHash(expected.algorithm(), hasher.digest());
            if (!actual.equals(expected) || count != expectedSize) {
                failure = "blob " + expected + " is corrupted: its file " + file + " holds " + count
                        + " bytes hashing to " + actual + ". Delete that file and pull or build the image again";
            }
        }
        if (failure != null) {
            // Every read at the end fails again, so a caller that swallows the first error still cannot finish.
            throw new LayerException(failure);
        }
    }
}
