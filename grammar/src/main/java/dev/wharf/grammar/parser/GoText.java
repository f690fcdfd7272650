package dev.wharf.grammar.parser;

/**
 * Go's notion of white space and trimming ({@code unicode.IsSpace}, {@code strings.TrimSpace}) and the
 * byte-string helpers of the ANTLR layer, which lexes UTF-8 bytes (one char per byte, 0x00..0xFF).
 *
 * <p>Stateless and thread-safe.
 */
final class GoText {

    private GoText() {
    }

    /** Go's {@code unicode.IsSpace}. */
    static boolean isSpace(int cp) {
        switch (cp) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
                return true;
            default:
                return cp >= 0x2000 && cp <= 0x200A;
        }
    }

    /** Index of the first char of {@code s[from,to)} that is not Go white space ({@code to} if none). */
    static int skipSpace(CharSequence s, int from, int to) {
        int i = from;
        while (i < to) {
            int cp = Character.codePointAt(s, i);
            if (!isSpace(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }

    /** End index of {@code s[from,to)} with trailing Go white space removed. */
    static int trimEnd(CharSequence s, int from, int to) {
        int i = to;
        while (i > from) {
            int cp = Character.codePointBefore(s, i);
            if (!isSpace(cp)) {
                break;
            }
            i -= Character.charCount(cp);
        }
        return i;
    }

    /** Go's {@code strings.ToLower}, rune by rune. */
    static String toLower(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int lower = Character.toLowerCase(cp);
            if (lower != cp && out == null) {
                out = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (out != null) {
                out.appendCodePoint(lower);
            }
            i += Character.charCount(cp);
        }
        return out == null ? s : out.toString();
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

    static String decode(String bytes, int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            if (bytes.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return bytes.substring(from, to);
        }
        byte[] raw = new byte[to - from];
        for (int i = from; i < to; i++) {
            raw[i - from] = (byte) bytes.charAt(i);
        }
        return new String(raw, java.nio.charset.StandardCharsets.UTF_8);
    }
}
