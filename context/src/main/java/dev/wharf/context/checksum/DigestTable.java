package dev.wharf.context.checksum;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * A read-only map from {@link FileKey} to {@link Digest} in a few flat arrays: the key fields in one {@code long[]}
 * (five per entry), the owner flags in a {@code byte[]}, the raw hashes in one {@code byte[]} (32 per entry), and an
 * open-addressing index of entry numbers. It holds what a fresh process loads from the persisted checksum cache:
 * about 90 bytes per entry and no object per entry, so loading 100,000 entries is a few bulk copies and one pass
 * over the keys, and a lookup allocates only the digest it returns. Immutable and thread-safe once built.
 */
final class DigestTable {

    static final DigestTable EMPTY = new DigestTable(new long[0], new byte[0], new byte[0], 0);

    /** Entry fields as the file stores them: device, inode, size, mtime-ns, ctime-ns. */
    static final int LONGS = 5;

    private final long[] keys;
    private final byte[] flags;
    private final byte[] hashes;
    private final int count;
    /** Entry number + 1 per slot, 0 for an empty slot; a power of two at least twice the entry count. */
    private final int[] slots;
    private final int mask;

    /**
     * Indexes the first {@code count} entries of the arrays (kept, not copied); when a key occurs twice the later
     * entry wins, so entries appended after the compacted ones (the journal's) override them.
     */
    DigestTable(long[] keys, byte[] flags, byte[] hashes, int count) {
        this.keys = keys;
        this.flags = flags;
        this.hashes = hashes;
        this.count = count;
        int capacity = Integer.highestOneBit(Math.max(4, count) * 2 - 1) << 1;
        this.slots = new int[capacity];
        this.mask = capacity - 1;
        for (int i = 0; i < count; i++) {
            int o = i * LONGS;
            int s = hash(keys[o], keys[o + 1], keys[o + 2], keys[o + 3], keys[o + 4], flags[i] != 0) & mask;
            while (true) {
                int e = slots[s];
                if (e == 0) {
                    slots[s] = i + 1;
                    break;
                }
                if (sameKey(e - 1, i)) {
                    slots[s] = i + 1; // a later entry of the same key replaces the earlier one
                    break;
                }
                s = (s + 1) & mask;
            }
        }
    }

    /** The digest stored for {@code k}, or null. */
    Digest get(FileKey k) {
        int i = find(k.device(), k.inode(), k.size(), k.mtimeNanos(), k.ctimeNanos(), k.resetOwner());
        return i < 0 ? null : Digest.wrap(Arrays.copyOfRange(hashes, i * 32, i * 32 + 32));
    }

    /**
     * Writes the wire form of the digest stored for these key fields into {@code wire} (unless null); false when
     * none is.
     */
    boolean wire(long device, long inode, long size, long mtime, long ctime, boolean resetOwner, byte[] wire) {
        int i = find(device, inode, size, mtime, ctime, resetOwner);
        if (i < 0) {
            return false;
        }
        if (wire != null) {
            Digest.writeWire(hashes, i * 32, wire);
        }
        return true;
    }

    /** The number of the winning entry with these key fields, or -1. */
    int find(long device, long inode, long size, long mtime, long ctime, boolean resetOwner) {
        if (count == 0) {
            return -1;
        }
        int s = hash(device, inode, size, mtime, ctime, resetOwner) & mask;
        while (true) {
            int e = slots[s];
            if (e == 0) {
                return -1;
            }
            int i = e - 1;
            int o = i * LONGS;
            if (keys[o + 1] == inode && keys[o] == device && keys[o + 2] == size && keys[o + 3] == mtime
                    && keys[o + 4] == ctime && (flags[i] != 0) == resetOwner) {
                return i;
            }
            s = (s + 1) & mask;
        }
    }

    /** Whether entry {@code i} is the one kept for its key (not overridden by a later entry of the same key). */
    boolean isWinner(int i) {
        int o = i * LONGS;
        return find(keys[o], keys[o + 1], keys[o + 2], keys[o + 3], keys[o + 4], flags[i] != 0) == i;
    }

    /** Whether the table holds entry {@code i} of {@code other}'s arrays under the same key. */
    boolean containsKeyOf(long[] otherKeys, byte[] otherFlags, int i) {
        int o = i * LONGS;
        return find(otherKeys[o], otherKeys[o + 1], otherKeys[o + 2], otherKeys[o + 3], otherKeys[o + 4],
                otherFlags[i] != 0) >= 0;
    }

    /** The index: entry number + 1 per slot, 0 for an empty one, a power of two of them (not a copy: read-only). */
    int[] slots() {
        return slots;
    }

    /** Number of entries in the arrays, overridden ones included; entry {@code i}'s fields are at {@link #keys}. */
    int entries() {
        return count;
    }

    /** The key fields, {@value #LONGS} per entry (not a copy: read-only). */
    long[] keys() {
        return keys;
    }

    /** The owner flags, one per entry (not a copy: read-only). */
    byte[] flags() {
        return flags;
    }

    /** The raw hashes, 32 bytes per entry (not a copy: read-only). */
    byte[] hashes() {
        return hashes;
    }

    /** Calls {@code action} for each distinct key (the winning entry of each), in slot order. */
    void forEach(BiConsumer<FileKey, Digest> action) {
        for (int e : slots) {
            if (e != 0) {
                int i = e - 1;
                int o = i * LONGS;
                action.accept(new FileKey(keys[o], keys[o + 1], keys[o + 2], keys[o + 3], keys[o + 4], flags[i] != 0),
                        Digest.wrap(Arrays.copyOfRange(hashes, i * 32, i * 32 + 32)));
            }
        }
    }

    /** Number of distinct keys. */
    int size() {
        int n = 0;
        for (int e : slots) {
            if (e != 0) {
                n++;
            }
        }
        return n;
    }

    private boolean sameKey(int a, int b) {
        int oa = a * LONGS;
        int ob = b * LONGS;
        for (int j = 0; j < LONGS; j++) {
            if (keys[oa + j] != keys[ob + j]) {
                return false;
            }
        }
        return flags[a] == flags[b];
    }

    /** The same mix as {@link FileKey#hashCode()}, spread so that linear probing sees its high bits too. */
    static int hash(long device, long inode, long size, long mtime, long ctime, boolean resetOwner) {
        long h = inode * 0x9E3779B97F4A7C15L + device;
        h = h * 31 + size;
        h = h * 31 + mtime;
        h = h * 31 + ctime;
        h ^= resetOwner ? 1 : 0;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 31) ^ (h >>> 47));
    }
}
