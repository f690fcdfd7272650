package dev.wharf.context.ignore;

import java.util.Arrays;

/**
 * A set of code points built from inclusive ranges, turned into the sorted, merged {@code [lo, hi, lo, hi, ...]}
 * arrays that {@link GoRegexp} searches. Mutable, used by one parser at a time; not thread-safe.
 */
final class RangeSet {

    private static final int MAX_RUNE = 0x10FFFF;

    private int[] ranges = new int[8];
    private int size;

    void add(int lo, int hi) {
        if (size + 2 > ranges.length) {
            ranges = Arrays.copyOf(ranges, ranges.length * 2);
        }
        ranges[size++] = lo;
        ranges[size++] = hi;
    }

    void addAll(int[] pairs) {
        for (int k = 0; k + 1 < pairs.length; k += 2) {
            add(pairs[k], pairs[k + 1]);
        }
    }

    /** Sorted, merged ranges. */
    int[] toRanges() {
        int pairs = size / 2;
        long[] packed = new long[pairs];
        for (int k = 0; k < pairs; k++) {
            packed[k] = ((long) ranges[2 * k] << 32) | (ranges[2 * k + 1] & 0xFFFFFFFFL);
        }
        Arrays.sort(packed);
        int[] out = new int[size];
        int n = 0;
        for (long p : packed) {
            int lo = (int) (p >>> 32);
            int hi = (int) p;
            if (n > 0 && lo <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], hi);
            } else {
                out[n++] = lo;
                out[n++] = hi;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The code points in [0, U+10FFFF] that are not in this set. */
    int[] complement() {
        return complementOf(toRanges());
    }

    static int[] complementOf(int[] sortedRanges) {
        RangeSet sorted = new RangeSet();
        sorted.addAll(sortedRanges);
        int[] r = sorted.toRanges();
        RangeSet out = new RangeSet();
        int next = 0;
        for (int k = 0; k < r.length; k += 2) {
            if (r[k] > next) {
                out.add(next, r[k] - 1);
            }
            next = r[k + 1] + 1;
        }
        if (next <= MAX_RUNE) {
            out.add(next, MAX_RUNE);
        }
        return out.toRanges();
    }
}
