package dev.wharf.grammar.parser;

/**
 * A slice of text as the ANTLR layer lexes it: its UTF-8 bytes, one char (0x00..0xFF) per byte, with a map
 * from every byte back to the index of the char it encodes.
 *
 * <p>Immutable. For ASCII text the map is the identity and is not stored. The static helpers work on such byte
 * strings: Go's {@code unicode.IsSpace} on encoded runes and decoding back to text.
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
        if (isAscii(s, from, to)) {
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

    /** Length of the UTF-8 encoded space sequence at {@code i} of a byte string, 0 if none (unicode.IsSpace). */
    static int byteSpaceSequence(String bytes, int i, int to) {
        char b = bytes.charAt(i);
        switch (b) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ':
                return 1;
            case 0xC2:
                return i + 1 < to && (bytes.charAt(i + 1) == 0x85 || bytes.charAt(i + 1) == 0xA0) ? 2 : 0;
            case 0xE1:
                return i + 2 < to && bytes.charAt(i + 1) == 0x9A && bytes.charAt(i + 2) == 0x80 ? 3 : 0;
            case 0xE2:
                if (i + 2 >= to) {
                    return 0;
                }
                char b1 = bytes.charAt(i + 1);
                char b2 = bytes.charAt(i + 2);
                if (b1 == 0x80 && ((b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) {
                    return 3;
                }
                return b1 == 0x81 && b2 == 0x9F ? 3 : 0;
            case 0xE3:
                return i + 2 < to && bytes.charAt(i + 1) == 0x80 && bytes.charAt(i + 2) == 0x80 ? 3 : 0;
            default:
                return 0;
        }
    }

    /** {@code strings.TrimLeftFunc(s, unicode.IsSpace)} on a byte string: the first non-space index. */
    static int skipByteSpaces(String bytes, int from, int to) {
        int i = from;
        while (i < to) {
            int n = byteSpaceSequence(bytes, i, to);
            if (n == 0) {
                break;
            }
            i += n;
        }
        return i;
    }

    /** Decodes a byte string (one char per UTF-8 byte) to text; malformed bytes become U+FFFD. */
    static String decode(String bytes) {
        return decode(bytes, 0, bytes.length());
    }

    /** Decodes {@code bytes[from,to)}; malformed bytes become U+FFFD. */
    static String decode(String bytes, int from, int to) {
        if (isAscii(bytes, from, to)) {
            return bytes.substring(from, to);
        }
        byte[] raw = new byte[to - from];
        for (int i = from; i < to; i++) {
            raw[i - from] = (byte) bytes.charAt(i);
        }
        return new String(raw, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** True when every char of {@code s[from,to)} is below 0x80: text and its UTF-8 bytes are then the same. */
    private static boolean isAscii(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
