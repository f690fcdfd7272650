package dev.wharf.grammar.parser;

/**
 * A slice of text as the ANTLR layer lexes it: its UTF-8 bytes, one char (0x00..0xFF) per byte, with a map
 * from every byte back to the index of the char it encodes.
 *
 * <p>Immutable. For ASCII text the map is the identity and is not stored.
 */
final class ByteText {

    final String bytes;
    private final int base;
    private final int[] charIndex;

    private ByteText(String bytes, int base, int[] charIndex) {
        this.bytes = bytes;
        this.base = base;
        this.charIndex = charIndex;
    }

    /** The UTF-8 bytes of {@code s[from,to)}; a lone surrogate is encoded as U+FFFD. */
    static ByteText of(String s, int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new ByteText(s.substring(from, to), from, null);
        }
        StringBuilder out = new StringBuilder((to - from) * 2);
        int[] map = new int[(to - from) * 3 + 1];
        int n = 0;
        for (int i = from; i < to; ) {
            int cp = s.codePointAt(i);
            int width = Character.charCount(cp);
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            int before = out.length();
            if (cp < 0x80) {
                out.append((char) cp);
            } else if (cp < 0x800) {
                out.append((char) (0xC0 | (cp >> 6))).append((char) (0x80 | (cp & 0x3F)));
            } else if (cp < 0x10000) {
                out.append((char) (0xE0 | (cp >> 12))).append((char) (0x80 | ((cp >> 6) & 0x3F)))
                        .append((char) (0x80 | (cp & 0x3F)));
            } else {
                out.append((char) (0xF0 | (cp >> 18))).append((char) (0x80 | ((cp >> 12) & 0x3F)))
                        .append((char) (0x80 | ((cp >> 6) & 0x3F))).append((char) (0x80 | (cp & 0x3F)));
            }
            for (int k = before; k < out.length(); k++) {
                if (n == map.length) {
                    map = java.util.Arrays.copyOf(map, n * 2);
                }
                map[n++] = i;
            }
            i += width;
        }
        if (n == map.length) {
            map = java.util.Arrays.copyOf(map, n + 1);
        }
        map[n] = to;
        return new ByteText(out.toString(), from, map);
    }

    /** The index in the source text of the char that byte {@code byteIndex} belongs to. */
    int sourceIndex(int byteIndex) {
        if (charIndex == null) {
            return base + byteIndex;
        }
        return charIndex[Math.min(byteIndex, bytes.length())];
    }

    /** The source index just after the char holding byte {@code byteEnd - 1}: the end of a byte range. */
    int sourceEnd(int byteEnd) {
        if (byteEnd <= 0) {
            return sourceIndex(0);
        }
        if (charIndex == null) {
            return base + byteEnd;
        }
        int last = charIndex[byteEnd - 1];
        int i = byteEnd;
        while (i < bytes.length() && charIndex[i] == last) {
            i++;
        }
        return i >= bytes.length() ? charIndex[bytes.length()] : charIndex[i];
    }
}
