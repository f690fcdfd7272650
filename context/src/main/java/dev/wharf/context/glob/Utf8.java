package dev.wharf.context.glob;

/**
 * Go's {@code utf8.DecodeRune} on byte arrays: invalid or truncated sequences decode as U+FFFD with width 1, an
 * empty input as U+FFFD with width 0. Results are packed into a long (rune in the high half, width or index in
 * the low half) so the hot matching loops allocate nothing. Stateless.
 */
final class Utf8 {

    static final int RUNE_ERROR = 0xFFFD;

    private Utf8() {
    }

    static long pack(int rune, int low) {
        return ((long) rune << 32) | (low & 0xFFFFFFFFL);
    }

    static int rune(long packed) {
        return (int) (packed >>> 32);
    }

    static int width(long packed) {
        return (int) packed;
    }

    static int next(long packed) {
        return (int) packed;
    }

    static long decode(byte[] b, int i) {
        return decodeBounded(b, i, b.length);
    }

    static long decodeBounded(byte[] b, int i, int end) {
        if (i >= end) {
            return pack(RUNE_ERROR, 0);
        }
        int b0 = b[i] & 0xFF;
        if (b0 < 0x80) {
            return pack(b0, 1);
        }
        int need;
        int min;
        int r;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            need = 1;
            min = 0x80;
            r = b0 & 0x1F;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 2;
            min = 0x800;
            r = b0 & 0x0F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 3;
            min = 0x10000;
            r = b0 & 0x07;
        } else {
            return pack(RUNE_ERROR, 1);
        }
        if (i + need >= end) {
            return pack(RUNE_ERROR, 1);
        }
        for (int k = 1; k <= need; k++) {
            int bk = b[i + k] & 0xFF;
            if ((bk & 0xC0) != 0x80) {
                return pack(RUNE_ERROR, 1);
            }
            r = (r << 6) | (bk & 0x3F);
        }
        if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
            return pack(RUNE_ERROR, 1);
        }
        return pack(r, need + 1);
    }
}
