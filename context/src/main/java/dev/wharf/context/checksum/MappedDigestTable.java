package dev.wharf.context.checksum;

import java.nio.ByteBuffer;

/**
 * The compacted checksum cache file as it lies on disk, mapped and looked up in place: its entries' key fields,
 * owner flags and hashes, and the open-addressing index that {@link DigestTable} built when the file was written
 * (entry number + 1 per slot, 0 for an empty one, probed linearly from {@link DigestTable#hash}). A fresh process that
 * looks up a few keys (a re-checksum whose directories' digests are reused) thus reads no more than the pages it
 * touches, instead of copying every entry into arrays and indexing them again. Immutable and thread-safe (absolute
 * reads of a read-only buffer).
 *
 * <p>Layout from {@code at} in the buffer: the key fields, {@value DigestTable#LONGS} longs per entry; the flags, one
 * byte per entry; the hashes, 32 bytes per entry; the slots, {@code capacity} ints.
 */
final class MappedDigestTable {

    private final ByteBuffer file;
    private final int count;
    private final int mask;
    private final int keysAt;
    private final int flagsAt;
    private final int hashesAt;
    private final int slotsAt;

    /**
     * @param file the buffer, whose size and checksum the caller has checked
     * @param at where the key fields start
     * @param count the number of entries
     * @param capacity the number of slots, a power of two greater than {@code count}
     */
    MappedDigestTable(ByteBuffer file, int at, int count, int capacity) {
        this.file = file;
        this.count = count;
        this.mask = capacity - 1;
        this.keysAt = at;
        this.flagsAt = keysAt + count * 8 * DigestTable.LONGS;
        this.hashesAt = flagsAt + count;
        this.slotsAt = hashesAt + count * 32;
    }

    /** The bytes the table spans from its first key field: what the caller checks the file's size against. */
    static long bytes(long count, long capacity) {
        return count * (8L * DigestTable.LONGS + 1 + 32) + capacity * 4;
    }

    int entries() {
        return count;
    }

    /** The digest stored for {@code k}, or null. */
    Digest get(FileKey k) {
        int i = find(k.device(), k.inode(), k.size(), k.mtimeNanos(), k.ctimeNanos(), k.resetOwner());
        if (i < 0) {
            return null;
        }
        byte[] h = new byte[32];
        file.get(hashesAt + i * 32, h);
        return Digest.wrap(h);
    }

    /** As {@link DigestTable#wire}. */
    boolean wire(long device, long inode, long size, long mtime, long ctime, boolean resetOwner, byte[] wire) {
        int i = find(device, inode, size, mtime, ctime, resetOwner);
        if (i < 0) {
            return false;
        }
        if (wire != null) {
            byte[] h = new byte[32];
            file.get(hashesAt + i * 32, h);
            Digest.writeWire(h, 0, wire);
        }
        return true;
    }

    private int find(long device, long inode, long size, long mtime, long ctime, boolean resetOwner) {
        if (count == 0) {
            return -1;
        }
        int s = DigestTable.hash(device, inode, size, mtime, ctime, resetOwner) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            int e = file.getInt(slotsAt + 4 * s);
            if (e <= 0 || e > count) {
                return -1; // empty (a slot past the entries would be a bad file, whose checksum the caller checked)
            }
            int i = e - 1;
            int o = keysAt + i * 8 * DigestTable.LONGS;
            if (file.getLong(o + 8) == inode && file.getLong(o) == device && file.getLong(o + 16) == size
                    && file.getLong(o + 24) == mtime && file.getLong(o + 32) == ctime
                    && (file.get(flagsAt + i) != 0) == resetOwner) {
                return i;
            }
            s = (s + 1) & mask;
        }
        return -1;
    }

    /** Copies the entries into arrays (a compaction merges them with new ones), at most {@code limit} of them. */
    DigestTable copy(int limit) {
        int n = Math.min(count, limit);
        long[] keys = new long[n * DigestTable.LONGS];
        byte[] flags = new byte[n];
        byte[] hashes = new byte[n * 32];
        file.slice(keysAt, count * 8 * DigestTable.LONGS).order(file.order()).asLongBuffer().get(keys);
        file.get(flagsAt, flags);
        file.get(hashesAt, hashes);
        return new DigestTable(keys, flags, hashes, n);
    }
}
