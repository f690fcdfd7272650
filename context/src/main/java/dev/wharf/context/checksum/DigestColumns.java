package dev.wharf.context.checksum;

import java.util.Arrays;

/**
 * The file digests a process added to its {@link ChecksumCache}, in the order added, as the columns the cache's
 * files store ({@value DigestTable#LONGS} key longs, an owner flag and a 32-byte hash per entry) rather than a map:
 * a first checksum adds one entry per file, and persisting them is then a few bulk copies instead of an iteration
 * over map entries. Appends only; {@link #dropFirst} removes what was written. Thread-safe (synchronized).
 */
final class DigestColumns {

    private long[] keys = new long[64 * DigestTable.LONGS];
    private byte[] flags = new byte[64];
    private byte[] hashes = new byte[64 * 32];
    private int count;

    /** Appends one entry. */
    synchronized void add(FileKey k, Digest d) {
        if (count == flags.length) {
            int grown = count * 2;
            keys = Arrays.copyOf(keys, grown * DigestTable.LONGS);
            flags = Arrays.copyOf(flags, grown);
            hashes = Arrays.copyOf(hashes, grown * 32);
        }
        int o = count * DigestTable.LONGS;
        keys[o] = k.device();
        keys[o + 1] = k.inode();
        keys[o + 2] = k.size();
        keys[o + 3] = k.mtimeNanos();
        keys[o + 4] = k.ctimeNanos();
        flags[count] = (byte) (k.resetOwner() ? 1 : 0);
        System.arraycopy(d.rawHash(), 0, hashes, count * 32, 32);
        count++;
    }

    synchronized int size() {
        return count;
    }

    /** The first {@code count} entries of the three columns. */
    record Columns(long[] keys, byte[] flags, byte[] hashes, int count) {
    }

    /**
     * The entries added so far, over the live arrays: their first {@code count} entries are never written again
     * (appends go past them, growing copies the arrays), so the view stays valid while others append.
     */
    synchronized Columns snapshot() {
        return new Columns(keys, flags, hashes, count);
    }

    /** Removes the first {@code n} entries (those persisted), keeping the ones added since. */
    synchronized void dropFirst(int n) {
        int rest = count - n;
        long[] k = new long[Math.max(64, rest) * DigestTable.LONGS];
        byte[] f = new byte[Math.max(64, rest)];
        byte[] h = new byte[Math.max(64, rest) * 32];
        System.arraycopy(keys, n * DigestTable.LONGS, k, 0, rest * DigestTable.LONGS);
        System.arraycopy(flags, n, f, 0, rest);
        System.arraycopy(hashes, n * 32, h, 0, rest * 32);
        keys = k;
        flags = f;
        hashes = h;
        count = rest;
    }
}
